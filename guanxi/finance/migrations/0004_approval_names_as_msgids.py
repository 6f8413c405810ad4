"""Name the built-in approval flows and steps by catalogue msgids ("Direct manager"), so
each reader sees them in their own language, instead of the bilingual "直属上级 Manager".
Only names nobody changed are renamed."""

from django.db import migrations

RENAMES = {
    "policy": {"费用审批 Expense approval": "Expense approval", "开票审批 Invoice approval": "Invoice approval"},
    "step": {"直属上级 Manager": "Direct manager", "财务 Finance": "Finance"},
}


def _rename(apps, forward):
    models = {"policy": apps.get_model("approvals", "ApprovalPolicy"), "step": apps.get_model("approvals", "ApprovalStep")}
    for kind, names in RENAMES.items():
        for old, new in names.items():
            source, target = (old, new) if forward else (new, old)
            models[kind].objects.filter(name=source).update(name=target)


def forwards(apps, schema_editor):
    _rename(apps, forward=True)


def backwards(apps, schema_editor):
    _rename(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0003_invoice_number_index"),
        ("approvals", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
