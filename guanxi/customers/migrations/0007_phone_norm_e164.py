"""Normalised phones move from bare mainland digits to E.164 (guanxi.core.phones)."""

from django.db import migrations


def to_e164(value):
    # A copy, not the live normaliser: every value stored before held mainland digits
    # ("13800138000", "02038886666x12", "4008108888").
    if not value or value.startswith("+"):
        return value
    number, _sep, extension = value.partition("x")
    number = "+86" + (number[1:] if number.startswith("0") else number)
    return f"{number}x{extension}" if extension else number


def to_digits(value):
    if not value or not value.startswith("+86"):
        return value
    number, _sep, extension = value.partition("x")
    number = number[3:]
    if not (number.startswith("1") and len(number) == 11) and not number.startswith(("400", "800")):
        number = "0" + number
    return f"{number}x{extension}" if extension else number


def convert(apps, change):
    for model_name, columns in MODELS:
        model = apps.get_model("customers", model_name)
        for column in columns:
            rows = model._base_manager.exclude(**{column: ""}).values_list("pk", column)
            for pk, value in rows.iterator(chunk_size=2000):
                new = change(value)
                if new != value:
                    model._base_manager.filter(pk=pk).update(**{column: new})


MODELS = [("Customer", ("phone_norm", "mobile_norm")), ("Contact", ("phone_norm", "mobile_norm"))]


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_search_contact_name_prefix")]

    operations = [migrations.RunPython(lambda apps, _schema: convert(apps, to_e164),
                                       lambda apps, _schema: convert(apps, to_digits))]
