"""Contacts (联系人) with their profile (C1 information groups), provenance and audit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import BooleanRadioFilter, ChoicesDropdownFilter
from unfold.decorators import action, display

from guanxi.accounts.admin_base import EXPORT_ACTIONS, ScopedModelAdmin
from guanxi.contacts.forms import SOURCE_FIELD, ContactForm, group_field_names
from guanxi.contacts.models import Contact, FactSource, KeyDate, ProfileFact, RelatedPerson
from guanxi.contacts.profile_schema import GROUPS
from guanxi.contacts.selectors import contact_fact_rows, contact_history, contact_word_q
from guanxi.contacts.services import profile_fact_verify, profile_facts_update
from guanxi.core.admin_mixins import SaveAnywayMixin, ScopedTabularInline, service_error_text
from guanxi.core.errors import ApplicationError
from guanxi.duplicates.services import contact_lookalikes_queue
from guanxi.surveys.models import InvitationSource
from guanxi.surveys.selectors import templates_active
from guanxi.surveys.services import invitation_create
from guanxi.workspace import flows


class RelatedPersonInline(ScopedTabularInline):
    model = RelatedPerson
    fields = ("relation", "name", "phone", "birthday", "notes")
    extra = 0
    tab = True


class KeyDateInline(ScopedTabularInline):
    model = KeyDate
    fields = ("kind", "date", "label")
    extra = 0
    tab = True


@admin.action(description=_("Send an NPS survey to the selected contacts"))
def send_nps_survey(modeladmin: Any, request: HttpRequest, queryset: Any) -> HttpResponseRedirect:
    """A personal NPS link per selected (visible) contact; the links and their QR codes are on
    the invitation list, ready to send by WeChat."""
    template = templates_active().filter(kind="nps").first()
    if template is None:
        messages.error(request, _("There is no active NPS survey template."))
        return HttpResponseRedirect(request.get_full_path())
    sent = 0
    for contact in queryset.select_related("account"):
        try:
            invitation_create(
                actor=request.user,
                template=template,
                account=contact.account,
                contact=contact,
                source=InvitationSource.MANUAL,
            )
        except ApplicationError as exc:
            messages.error(request, f"{contact}: {service_error_text(exc)}")
        else:
            sent += 1
    messages.success(request, _("%(n)d survey links made.") % {"n": sent})
    return HttpResponseRedirect(
        reverse("admin:surveys_surveyinvitation_changelist")
        + f"?sent_by__id__exact={request.user.pk}"
    )


@admin.register(Contact)
class ContactAdmin(SaveAnywayMixin, ScopedModelAdmin):
    form = ContactForm
    list_display = (
        "name",
        "account",
        "title",
        "mobile",
        "email",
        "birthday",
        "gender",
        "is_primary",
        "is_active",
    )
    list_select_related = ("account",)
    list_filter = (
        ("gender", ChoicesDropdownFilter),
        ("is_primary", BooleanRadioFilter),
        ("is_active", BooleanRadioFilter),
        ("account__account_type", ChoicesDropdownFilter),
    )
    search_fields = (
        "name",
        "english_name",
        "code",
        "mobile",
        "email",
        "title",
        "account__name",
        "account__code",
    )
    search_help_text = _(
        "Name (also pinyin or initials), code, mobile, e-mail, title or the account's name or code"
    )
    autocomplete_fields = ("account",)
    readonly_fields = ("constellation_display", "zodiac_display")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        # The usual fields, or the stored pinyin, initials and mobile digits (autocomplete too).
        found, distinct = super().get_search_results(request, queryset, search_term)
        by_forms = queryset.filter(contact_word_q(search_term)) if search_term.strip() else None
        return (found | by_forms if by_forms is not None else found), distinct

    inlines = (RelatedPersonInline, KeyDateInline)
    actions = [*EXPORT_ACTIONS, send_nps_survey]
    change_form_outer_after_template = "admin/contacts/contact/provenance.html"
    object_history_template = "admin/contacts/contact/object_history.html"
    actions_detail = ("merge_with",)

    @action(description=_("Merge with…"), url_path="merge-with", icon="merge")
    def merge_with(self, request: HttpRequest, object_id: str) -> HttpResponseRedirect:
        """Pick the duplicate, then the merge page (C14; team leads and managers)."""
        return HttpResponseRedirect(reverse("merge_contacts_pick", args=(int(unquote(object_id)),)))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        fieldsets = [
            (
                None,
                {
                    "fields": (
                        ("code", "account"),
                        ("name", "english_name", "nickname"),
                        ("gender", "birthday"),
                        ("constellation_display", "zodiac_display"),
                    )
                },
            ),
            (
                _("Work and reach"),
                {
                    "classes": ["tab"],
                    "fields": (
                        ("title", "department"),
                        ("mobile", "phone"),
                        ("email", "wechat"),
                        ("is_primary", "is_active"),
                        "notes",
                    ),
                },
            ),
        ]
        for group in GROUPS:
            fieldsets.append(
                (
                    group.label,
                    {
                        "classes": ["tab"],
                        "description": group.description,
                        "fields": group_field_names(group),
                    },
                )
            )
        fieldsets.append(
            (
                _("Profile facts: source"),
                {"fields": (SOURCE_FIELD,)},
            )
        )
        return fieldsets

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # a fresh class per request (modelform_factory)
        return form

    @display(description=_("star sign"))
    def constellation_display(self, obj: Contact) -> str:
        return obj.constellation or "—"

    @display(description=_("Chinese zodiac"))
    def zodiac_display(self, obj: Contact) -> str:
        return obj.chinese_zodiac or "—"

    def save_model(self, request: HttpRequest, obj: Contact, form: ContactForm, change: bool):
        model_fields = {f.name for f in Contact._meta.get_fields()}
        if change and not any(name in model_fields for name in form.changed_data):
            # Only facts, related people or key dates changed: they keep their own history,
            # and re-saving the contact would add an empty row to its audit trail.
            return
        super().save_model(request, obj, form, change)
        if change:  # a person who left or was renamed: the buying centres that seat them
            flows.contact_saved(contact=obj)
        elif form.cleaned_data.get("save_anyway") and contact_lookalikes_queue(contact=obj):
            # Saved although it looks like others: a manager sees the pairs now, not tomorrow.
            messages.info(request, _(
                "The contact and the ones it looks like are in the duplicates review queue "
                "now, for a manager to decide whether they are one person."
            ))  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: Contact) -> None:
        flows.contact_remove(actor=request.user, contact=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for contact in queryset:
            flows.contact_remove(actor=request.user, contact=contact)

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        extra_context = extra_context or {}
        contact = self.get_object(request, unquote(object_id))
        if contact is not None:
            extra_context["change_log"] = contact_history(contact, limit=200)
        return super().history_view(request, object_id, extra_context)

    def save_related(self, request: HttpRequest, form: ContactForm, formsets: Any, change: bool):
        super().save_related(request, form, formsets, change)
        # Profile facts go through the service so each one remembers who, when and from where.
        source = form.cleaned_data.get(SOURCE_FIELD) or FactSource.CONVERSATION
        for group, values in form.changed_facts().items():
            profile_facts_update(
                contact=form.instance,
                group=group,
                values=values,
                actor=request.user,
                source=source,
            )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ):
        extra_context = extra_context or {}
        contact = self.get_object(request, unquote(object_id))
        if contact is not None:
            extra_context["fact_rows"] = contact_fact_rows(contact)
            extra_context["contact_history"] = contact_history(contact)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path(
                "<path:object_id>/facts/<int:fact_id>/verify/",
                self.admin_site.admin_view(self.verify_fact_view),
                name="contacts_contact_verify_fact",
            )
        ]
        return custom + urls

    def verify_fact_view(self, request: HttpRequest, object_id: str, fact_id: int):
        """Mark one fact as checked (004 巧妙验证); POST only, scoped like the page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        contact = self.get_object(request, unquote(object_id))
        if contact is None:
            raise Http404
        fact = get_object_or_404(ProfileFact, pk=fact_id, contact=contact)
        profile_fact_verify(fact=fact, actor=request.user)
        messages.success(request, _("Fact verified."))
        return HttpResponseRedirect(reverse("admin:contacts_contact_change", args=(contact.pk,)))


@admin.register(ProfileFact)
class ProfileFactAdmin(ScopedModelAdmin):
    """Read-mostly list of facts across contacts; edit them on the contact page."""

    account_path = "contact__account__"
    list_display = ("contact", "group", "key", "value", "source", "recorded_by", "recorded_at",
                    "verified")  # fmt: skip
    list_filter = (
        ("group", ChoicesDropdownFilter),
        ("source", ChoicesDropdownFilter),
        ("verified", BooleanRadioFilter),
    )
    list_select_related = ("contact", "recorded_by")
    search_fields = ("contact__name", "key")
    readonly_fields = ("contact", "group", "key", "value", "source", "recorded_by", "recorded_at",
                       "verified", "verified_by", "verified_at")  # fmt: skip

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # facts are written through the contact form and the service

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False  # reached from contacts, not the sidebar


@admin.register(RelatedPerson)
class RelatedPersonAdmin(ScopedModelAdmin):
    account_path = "contact__account__"
    list_display = ("name", "relation", "contact", "phone", "birthday")
    list_filter = (("relation", ChoicesDropdownFilter),)
    search_fields = ("name", "contact__name")
    autocomplete_fields = ("contact",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(KeyDate)
class KeyDateAdmin(ScopedModelAdmin):
    account_path = "contact__account__"
    list_display = ("contact", "kind", "date", "label")
    list_filter = (("kind", ChoicesDropdownFilter),)
    search_fields = ("label", "contact__name")
    autocomplete_fields = ("contact",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False
