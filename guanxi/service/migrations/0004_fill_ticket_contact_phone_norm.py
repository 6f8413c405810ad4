from django.db import migrations


def fill(apps, schema_editor):
    # The live normalizer on purpose: the column must hold what the search computes from
    # a typed number today, not a frozen copy that drifts from it.
    from guanxi.customers.normalize import phone_or_none

    Ticket = apps.get_model("service", "Ticket")
    for pk, phone in Ticket.objects.exclude(contact_phone="").values_list("pk", "contact_phone").iterator(
            chunk_size=2000):
        norm = phone_or_none(phone)
        if norm:
            Ticket.objects.filter(pk=pk).update(contact_phone_norm=norm)


class Migration(migrations.Migration):
    dependencies = [("service", "0003_search_ticket_phone")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
