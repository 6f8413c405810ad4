from django.db import migrations


def fill(apps, schema_editor):
    # The live normalizer on purpose: the column must hold what the search computes from
    # a typed number today, not a frozen copy that drifts from it.
    from guanxi.customers.normalize import phone_or_none

    Lead = apps.get_model("sales", "Lead")
    for pk, mobile in Lead.objects.exclude(mobile="").values_list("pk", "mobile").iterator(chunk_size=2000):
        norm = phone_or_none(mobile)
        if norm:
            Lead.objects.filter(pk=pk).update(mobile_norm=norm)


class Migration(migrations.Migration):
    dependencies = [("sales", "0005_search_lead_phone_and_quote_number")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
