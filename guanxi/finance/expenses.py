"""Expenses (FIN-3): entered by the person who spent, with receipt images or PDFs,
approved by their manager through the approval building block."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.approvals.services import approval_start, decision_applied
from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.core.money import clean_amount
from guanxi.core.numbering import next_number
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, validated_save
from guanxi.core.transitions import transition
from guanxi.org.scopes import ensure_in_scope, record_in_scope

from .models import Expense, ExpenseAttachment, ExpenseCategory, ExpenseStatus

MAX_ATTACHMENT = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
# Recognised by their first bytes: the name and the browser's content type are not trusted.
SIGNATURES = [(b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
              (b"%PDF-", "application/pdf", ".pdf")]
FIELDS = {"category", "amount", "spent_on", "description"}


def may_enter_expenses(user):
    """Everyone in a branch enters their own expenses; finance enters anyone's."""
    return user.is_authenticated and user.is_active and user.branch_id is not None


EXPENSE_TRANSITIONS = {
    ExpenseStatus.DRAFT: {ExpenseStatus.PENDING_APPROVAL, ExpenseStatus.CANCELLED},
    ExpenseStatus.PENDING_APPROVAL: {ExpenseStatus.APPROVED, ExpenseStatus.REJECTED},
    ExpenseStatus.REJECTED: {ExpenseStatus.DRAFT, ExpenseStatus.PENDING_APPROVAL, ExpenseStatus.CANCELLED},
}

@service
def expense_create(*, actor, category, amount, description, spent_on=None, owner=None):
    owner = owner or actor
    if owner.pk != actor.pk:
        ensure(actor, "finance.create")
        if not record_in_scope(actor, owner.pk, owner.branch_id):
            raise Forbidden()
    if not may_enter_expenses(owner):
        raise Forbidden(_("Expenses belong to a person of a branch."))
    _check_category(category)
    expense = Expense(number=next_number("finance.expense"), category=category, amount=clean_amount(amount),
                      description=(description or "").strip()[:300], spent_on=spent_on or timezone.localdate(),
                      owner=owner, department_id=owner.department_id, branch_id=owner.branch_id, created_by=actor)
    if not expense.description:
        raise ValidationFailed(_("Say what the money was spent on."), field="description")
    return validated_save(expense)


def _check_category(category):
    if category is None or not category.is_active:
        raise ValidationFailed(_("Choose an active category or item."), field="category")


def _editable(actor, expense):
    ensure_in_scope(actor, expense)
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    if expense.owner_id != actor.pk and not actor.has_module_perm("finance.edit"):
        raise Forbidden()
    if not expense.is_editable:
        raise Conflict(_("Only a draft or rejected expense can change."))
    return expense


@service
def expense_update(*, actor, expense, **data):
    expense = _editable(actor, expense)
    if "amount" in data:
        data["amount"] = clean_amount(data["amount"])
    if "category" in data:
        _check_category(data["category"])
    assign_fields(expense, FIELDS, data)
    validated_save(expense)
    if expense.status != ExpenseStatus.DRAFT:  # a rejected expense, changed, is a draft again
        expense = transition(expense, ExpenseStatus.DRAFT, actor, _("Changed"))
    return expense


def _file_kind(head):
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


@service
def expense_attach(*, actor, expense, upload):
    """Attach a receipt: JPEG, PNG or PDF (by content), at most 10 MB, ten per expense."""
    expense = _editable(actor, expense)
    if expense.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationFailed(_("At most %(n)d attachments.") % {"n": MAX_ATTACHMENTS}, field="file")
    if upload.size == 0:
        raise ValidationFailed(_("The file is empty."), field="file")
    if upload.size > MAX_ATTACHMENT:
        raise ValidationFailed(_("Files of at most 10 MB, please."), field="file")
    data = upload.read(MAX_ATTACHMENT + 1)
    if len(data) > MAX_ATTACHMENT:
        raise ValidationFailed(_("Files of at most 10 MB, please."), field="file")
    kind = _file_kind(data[:16])
    if kind is None:
        raise ValidationFailed(_("Attach a JPEG or PNG image or a PDF."), field="file")
    content_type, extension = kind
    attachment = ExpenseAttachment(expense=expense, original_name=(upload.name or "file")[:200],
                                   content_type=content_type, extension=extension, size=len(data),
                                   checksum=hashlib.sha256(data).hexdigest(), uploaded_by=actor)
    attachment.file.save(f"receipt{extension}", ContentFile(data), save=False)
    attachment.save()
    return attachment


@service
def expense_submit(*, actor, expense):
    """Send a draft for approval (the manager by default; finance can change the flow)."""
    expense = transition(_editable(actor, expense), ExpenseStatus.PENDING_APPROVAL, actor)
    approval_start(actor=expense.owner if expense.owner_id == actor.pk else actor, doc_type="finance.expense",
                   object_id=expense.pk, amount=expense.amount,
                   label=_("Expense %(number)s: %(what)s") % {"number": expense.number, "what": expense.description},
                   url=expense.get_absolute_url())
    expense.refresh_from_db()
    return expense


def expense_approval_decided(request):
    decision_applied(request, Expense, pending=ExpenseStatus.PENDING_APPROVAL, approved=ExpenseStatus.APPROVED,
                     rejected=ExpenseStatus.REJECTED)


@service
def expense_cancel(*, actor, expense):
    return transition(_editable(actor, expense), ExpenseStatus.CANCELLED, actor)


DEFAULT_CATEGORIES = [
    ("rent", "房租", "Rent", [("office-rent", "办公室租金", "Office rent"), ("warehouse-rent", "仓库租金",
                                                                        "Warehouse rent")]),
    ("utilities", "水电物业", "Utilities", [("power", "电费", "Electricity"), ("water", "水费", "Water"),
                                         ("property", "物业费", "Property fees")]),
    ("office", "办公费用", "Office", [("stationery", "文具耗材", "Stationery"), ("phone", "通讯费", "Phone and internet"),
                                   ("courier", "快递费", "Courier")]),
    ("salaries", "工资社保", "Salaries", [("wages", "工资", "Wages"), ("insurance", "社保公积金", "Social insurance")]),
    ("commissions", "提成奖金", "Commissions and bonuses", [("commission", "销售提成", "Sales commission"),
                                                        ("bonus", "奖金", "Bonus")]),
    ("sales", "销售费用", "Sales expenses", [("travel", "差旅费", "Travel"), ("entertainment", "业务招待费",
                                                                           "Entertainment"),
                                         ("marketing", "市场推广", "Marketing"), ("transport", "市内交通", "Local transport")]),
]


def ensure_default_categories():
    """Seed the editable categories and items once (after migrate)."""
    if ExpenseCategory.objects.exists():
        return
    for index, (code, zh, en, items) in enumerate(DEFAULT_CATEGORIES):
        parent = ExpenseCategory.objects.create(code=code, name_zh=zh, name_en=en, position=index)
        for position, (item_code, item_zh, item_en) in enumerate(items):
            ExpenseCategory.objects.create(code=item_code, name_zh=item_zh, name_en=item_en, parent=parent,
                                           position=position)
