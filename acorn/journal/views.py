import uuid
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from acorn.audit.services import audit_record
from acorn.children.models import Child
from acorn.children.selectors import (
    child_for,
    children_of_setting,
    is_parent,
    is_staff_for,
    linked_child_ids,
    require_onboarded,
)
from acorn.core.access import parent, session_leader, signed_in, staff
from acorn.core.middleware import audit_refusal
from acorn.core.params import offset_param
from acorn.core.policy import Forbidden, OutsideSessionTimes
from acorn.journal import delivery, history, selectors, services
from acorn.journal.device_copy import device_copy_keys
from acorn.journal.forms import (
    CommentForm,
    ContributionForm,
    JournalFilterForm,
    ObservationEditForm,
    ObservationForm,
    RejectForm,
    ReviewForm,
)
from acorn.journal.media import StorageUnavailable
from acorn.journal.media import media_upload as store_upload
from acorn.journal.models import CaptureDraft, MediaItem
from acorn.journal.policy import is_journal_staff, may_change_entry
from acorn.leaving.rules import attending
from acorn.media_processing import MediaRejected
from acorn.notices import services as notices
from acorn.org.rules import publish_outlook
from acorn.org.selectors import membership_in, memberships_of
from acorn.suitability.selectors import require_cleared

PAGE_SIZE = 20


def _entries_for_display(user, observations):
    observations = selectors.prepare_for_reader(user, list(observations))
    return [(obs, selectors.children_shown_to(user, obs)) for obs in observations]


def _add_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _saved(request, observation):
    """Where the capture page goes after saving. Its script sends the form itself (so a
    dropped connection loses nothing) and is told where to go next."""
    url = reverse("journal:observation", kwargs={"observation_id": observation.pk})
    if request.headers.get("X-Acorn-Capture"):
        return JsonResponse({"redirect": url})
    return redirect(url)


def _media_choices(user, ids):
    if not ids:
        return []
    items = {str(m.pk): m for m in selectors.media_visible_to(user).filter(pk__in=ids)}
    if len(items) != len(set(ids)):
        raise ValidationError({"media": "One of the photos or videos is no longer available."})
    return [services.MediaChoice(media=items[i]) for i in dict.fromkeys(ids)]


FILTER_FIELDS = ("q", "area", "since", "until", "photos")


def _filter_form(request):
    """The filter form, or None when nobody has filtered (nearly every visit): then the
    journal is unfiltered and its filter boxes are the empty ones (`filter_fields`)."""
    asked = any(request.GET.get(name) for name in FILTER_FIELDS)
    return JournalFilterForm(request.GET) if asked else None


def _filter_query(request) -> str:
    """The filters as a query string, for the next page's link."""
    kept = request.GET.copy()
    kept.pop("from", None)
    for name in list(kept):
        if name not in FILTER_FIELDS or not kept.get(name):
            kept.pop(name)
    return kept.urlencode()


@signed_in
def child_journal(request, child_id):
    child = child_for(request.user, child_id)
    offset = offset_param(request)
    form = _filter_form(request)
    wanted = form.wanted() if form is not None else selectors.JournalFilter()
    page = selectors.journal_page(request.user, child, wanted, offset=offset, size=PAGE_SIZE + 1)
    audit_record(
        action="journal.read",
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="child",
        object_id=child.pk,
    )
    return render(
        request,
        "journal/child_journal.html",
        {
            "child": child,
            "entries": _entries_for_display(request.user, page[:PAGE_SIZE]),
            "older": offset + PAGE_SIZE if len(page) > PAGE_SIZE else None,
            "is_staff": is_staff_for(request.user, child),
            "filter_form": form,
            "filtering": wanted.active,
            "filter_query": _filter_query(request),
        },
    )


GALLERY_PAGE_SIZE = 30


@signed_in
def child_gallery(request, child_id):
    """Every photo and video of one child that this person may see, newest first."""
    child = child_for(request.user, child_id)
    offset = offset_param(request)
    items = list(
        selectors.gallery_for(request.user, child)[offset : offset + GALLERY_PAGE_SIZE + 1]
    )
    audit_record(
        action="journal.read",
        request=request,
        setting_id=child.setting_id,
        child_id=child.pk,
        object_type="child",
        object_id=child.pk,
    )
    more = len(items) > GALLERY_PAGE_SIZE
    items = items[:GALLERY_PAGE_SIZE]
    observations = {item.observation_id: item.observation for item in items}
    selectors.prepare_for_reader(request.user, list(observations.values()))
    return render(
        request,
        "journal/gallery.html",
        {
            "child": child,
            "items": items,
            "older": offset + GALLERY_PAGE_SIZE if more else None,
            "newer": max(offset - GALLERY_PAGE_SIZE, 0) if offset else None,
            "is_staff": is_staff_for(request.user, child),
        },
    )


@signed_in
def media_page(request, media_id):
    """One photo or video of an entry on a page of its own, inside Acorn: where a photo
    leads without JavaScript (the viewer opens over the page otherwise)."""
    item = selectors.media_for(request.user, media_id)
    if item.observation_id is None:
        raise Http404("No such photo or video.")
    observation = selectors.observation_for(request.user, item.observation_id)
    shown = selectors.children_shown_to(request.user, observation)
    selectors.prepare_for_reader(request.user, [observation])
    audit_record(
        action="observation.read",
        request=request,
        setting_id=observation.setting_id,
        child_id=shown[0].pk if shown else None,
        object_type="observation",
        object_id=observation.pk,
    )
    ready = [m for m in observation.visible_media if m.status == MediaItem.Status.READY]
    index = next((i for i, m in enumerate(ready) if m.pk == item.pk), None)
    if index is None:
        raise delivery.StillProcessing("Not ready.")
    # The item as this reader may see it: the entry's prefetch went through the same rule.
    item = ready[index]
    return render(
        request,
        "journal/media_page.html",
        {
            "item": item,
            "observation": observation,
            "children": shown,
            "position": index + 1,
            "count": len(ready),
            "previous": ready[index - 1] if index > 0 else None,
            "following": ready[index + 1] if index + 1 < len(ready) else None,
        },
    )


@staff
def observation_new(request):
    setting = request.membership.setting
    children = list(children_of_setting(setting, status="active"))
    # The key person's own children come first on the picker.
    children.sort(
        key=lambda c: (
            request.user.pk not in (c.key_person_id, c.backup_key_person_id),
            c.first_name,
        )
    )
    if request.method == "POST" and request.POST.get("action") == "discard":
        return _discard_attempt(request, reverse("journal:new"))
    initial = {"children": request.GET.getlist("child")}
    resuming = _resuming(request, setting_id=setting.pk, kind=CaptureDraft.Kind.OBSERVATION)
    if resuming is not None:
        known = {str(c.pk) for c in children}
        initial = _draft_initial(resuming)
        initial["children"] = [pk for pk in resuming.child_ids if pk in known]
        initial["areas"] = resuming.areas
        initial["aspects"] = resuming.aspects
        initial["characteristics"] = resuming.characteristics
        initial["next_steps"] = resuming.next_steps
    form = ObservationForm(request.POST or None, children=children, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            observation = services.observation_create(
                author=request.user,
                children=form.chosen_children(),
                text=form.cleaned_data["text"],
                observed_on=form.cleaned_data["observed_on"],
                areas=form.cleaned_data["areas"],
                aspects=form.cleaned_data["aspects"],
                characteristics=form.cleaned_data["characteristics"],
                next_steps=form.cleaned_data["next_steps"],
                publish=request.POST.get("action") != "draft",
                media=_media_choices(request.user, form.chosen_media_ids()),
                client_ref=form.cleaned_data["client_ref"] or None,
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        except OutsideSessionTimes as refusal:
            # Keep what was typed: say why, and let them save it later.
            audit_refusal(request, refusal)
            form.add_error(None, f"{refusal.detail} {refusal.next_step or ''}".strip())
        else:
            services.capture_draft_discard(
                author=request.user, client_ref=form.cleaned_data["client_ref"]
            )
            if observation.status == "published":
                messages.success(request, "Published. Parents can see it now.")
            else:
                messages.success(
                    request, "Saved as a draft. Only you can see it until you publish it."
                )
            return _saved(request, observation)
    names = {str(c.pk): f"{c.first_name} {c.last_name[:1]}." for c in children}
    return render(
        request,
        "journal/observation_new.html",
        {
            "form": form,
            "children": children,
            "aspect_groups": _aspect_groups(form),
            "chosen_media": _chosen_media(request, form),
            "unsent": _unsent(
                request,
                setting_id=setting.pk,
                kind=CaptureDraft.Kind.OBSERVATION,
                resuming=resuming,
                about=lambda draft: [names[pk] for pk in draft.child_ids if pk in names],
                bound=form.is_bound,
            ),
            "device_copy": device_copy_keys(request.user),
            "outlook": publish_outlook(request, setting),
        },
    )


def _aspect_groups(form):
    """The aspect chips of each area, shown under the areas once that area is chosen."""
    from acorn.eyfs.selectors import codes

    known = codes().aspects
    chips = list(form["aspects"])
    return [
        (area, name, [chip for chip in chips if known[chip.data["value"]][0] == area])
        for area, name in codes().areas.items()
    ]


def _chosen_media(request, form):
    """Uploads already made for a form that is shown again (so nothing is lost)."""
    chosen = form.data.get("media_ids") if form.is_bound else form.initial.get("media_ids")
    ids = [m for m in (chosen or "").split(",") if m.strip()]
    if not ids:
        return []
    return list(selectors.media_visible_to(request.user).filter(pk__in=ids[:20]))


def _written_when(moment) -> str:
    local = timezone.localtime(moment)
    days = (timezone.localdate() - local.date()).days
    clock = f"{local:%H:%M}"
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"yesterday at {clock}"
    return f"on {local.day} {local:%B} at {clock}"


def _resuming(request, *, setting_id, kind, child=None):
    """The unsent draft the person chose to carry on with (?resume=<id>), if any."""
    wanted = request.GET.get("resume") if request.method == "GET" else None
    if not wanted:
        return None
    draft = selectors.capture_draft_of(request.user, wanted)
    if (
        draft.kind != kind
        or draft.setting_id != setting_id
        or draft.child_id != (child.pk if child else None)
    ):
        raise Http404("No such draft.")
    return draft


def _draft_initial(draft) -> dict:
    initial = {
        "text": draft.text,
        "client_ref": draft.client_ref,
        "media_ids": ",".join(draft.media_ids),
    }
    if draft.observed_on:
        initial["observed_on"] = draft.observed_on
    return initial


def _unsent(request, *, setting_id, kind, resuming, about, child=None, bound=False):
    """What the page says about unsent work: the draft being carried on with, or the
    drafts on offer, each saying who it is about and when it was written. Nothing is
    filled in until the person chooses it."""
    if resuming is not None:
        return {
            "resuming": {
                "draft": resuming,
                "about": about(resuming),
                "when": _written_when(resuming.updated_at),
            }
        }
    if bound:
        return {}
    offered = [
        {
            "draft": draft,
            "about": about(draft),
            "when": _written_when(draft.updated_at),
            "opening": draft.text.strip()[:80],
        }
        for draft in selectors.capture_drafts_of(
            request.user, setting_id=setting_id, kind=kind, child=child
        )[:5]
    ]
    return {"offered": offered}


def _discard_attempt(request, page_url):
    """The capture page's own Discard: throw away this attempt, here and on the server."""
    services.capture_draft_discard(author=request.user, client_ref=request.POST.get("client_ref"))
    messages.info(request, "Discarded. Nothing of it was kept.")
    if request.headers.get("X-Acorn-Capture"):
        return JsonResponse({"redirect": page_url})
    return redirect(page_url)


@signed_in
@require_POST
def capture_draft_save(request):
    """Autosave from the capture page and "add something from home": the person's own
    unsent draft, kept on the server so it follows them and never stays on the device."""
    capture = request.POST.get("capture", "")
    child = None
    child_ids = []
    if capture == "new":
        if request.membership is None:
            raise Forbidden("This page is for staff of the setting.")
        require_cleared(request.user, request.membership.setting_id)
        setting = request.membership.setting
        kind = CaptureDraft.Kind.OBSERVATION
        allowed = {
            str(pk)
            for pk in attending(Child.objects.filter(setting=setting)).values_list("pk", flat=True)
        }
        child_ids = [pk for pk in dict.fromkeys(request.POST.getlist("children")) if pk in allowed]
    elif capture.startswith("contribute-"):
        child = child_for(request.user, capture.removeprefix("contribute-"))
        if is_staff_for(request.user, child) or child.pk not in linked_child_ids(request.user):
            raise Http404("No such child.")
        setting = child.setting
        kind = CaptureDraft.Kind.CONTRIBUTION
    else:
        raise Http404("No such page.")
    media_ids = []
    for raw in (request.POST.get("media_ids") or "").split(",")[:20]:
        try:
            media_ids.append(uuid.UUID(raw.strip()))
        except ValueError:
            continue
    own_media = {
        str(pk)
        for pk in MediaItem.objects.filter(
            pk__in=media_ids, uploaded_by=request.user, observation__isnull=True
        ).values_list("pk", flat=True)
    }
    try:
        observed_on = date.fromisoformat(request.POST.get("observed_on", ""))
    except ValueError:
        observed_on = None
    try:
        draft = services.capture_draft_save(
            author=request.user,
            setting=setting,
            kind=kind,
            child=child,
            client_ref=request.POST.get("client_ref", ""),
            text=request.POST.get("text", ""),
            next_steps=request.POST.get("next_steps", ""),
            observed_on=observed_on,
            child_ids=child_ids,
            areas=request.POST.getlist("areas"),
            aspects=request.POST.getlist("aspects"),
            characteristics=request.POST.getlist("characteristics"),
            media_ids=[str(m) for m in media_ids if str(m) in own_media],
        )
    except ValidationError as error:
        return JsonResponse({"detail": " ".join(error.messages), "code": "invalid"}, status=422)
    return JsonResponse({"saved": draft is not None})


@signed_in
@require_POST
def capture_draft_discard(request, draft_id):
    """Discard one of the person's own unsent drafts offered on the page."""
    draft = selectors.capture_draft_of(request.user, draft_id)
    services.capture_draft_discard(author=request.user, draft_id=draft.pk)
    messages.info(request, "Discarded. Nothing of it was kept.")
    if draft.kind == CaptureDraft.Kind.CONTRIBUTION:
        return redirect("journal:contribute", child_id=draft.child_id)
    return redirect("journal:new")


@parent
def contribution_new(request, child_id):
    child = child_for(request.user, child_id)
    if is_staff_for(request.user, child):
        return redirect(f"/observations/new?child={child.pk}")
    page_url = reverse("journal:contribute", kwargs={"child_id": child.pk})
    if request.method == "POST" and request.POST.get("action") == "discard":
        return _discard_attempt(request, page_url)
    kind = CaptureDraft.Kind.CONTRIBUTION
    resuming = _resuming(request, setting_id=child.setting_id, kind=kind, child=child)
    form = ContributionForm(
        request.POST or None, initial=_draft_initial(resuming) if resuming else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            observation = services.observation_create(
                author=request.user,
                children=[child],
                text=form.cleaned_data["text"],
                observed_on=form.cleaned_data["observed_on"],
                media=_media_choices(request.user, form.chosen_media_ids()),
                client_ref=form.cleaned_data["client_ref"] or None,
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            services.capture_draft_discard(
                author=request.user, client_ref=form.cleaned_data["client_ref"]
            )
            messages.success(
                request,
                f"Thank you! {child.first_name}'s key person will look at it and add it to "
                "the journal.",
            )
            return _saved(request, observation)
    return render(
        request,
        "journal/contribution_new.html",
        {
            "form": form,
            "child": child,
            "chosen_media": _chosen_media(request, form),
            "unsent": _unsent(
                request,
                setting_id=child.setting_id,
                kind=kind,
                child=child,
                resuming=resuming,
                about=lambda draft: [child.first_name],
                bound=form.is_bound,
            ),
            "device_copy": device_copy_keys(request.user),
        },
    )


def _threads(user, observation, shown):
    """Replies grouped by family thread, each with the child it belongs to."""
    comments = list(selectors.comments_for(user, observation))
    for comment in comments:
        comment.observation = observation
    selectors.prepare_for_reader(user, [observation], comments)
    threads = []
    for child in shown:
        threads.append((child, [c for c in comments if c.child_id == child.pk]))
    return threads


@signed_in
def observation_detail(request, observation_id):
    observation = selectors.observation_for(request.user, observation_id)
    shown = selectors.children_shown_to(request.user, observation)
    audit_record(
        action="observation.read",
        request=request,
        setting_id=observation.setting_id,
        child_id=shown[0].pk if shown else None,
        object_type="observation",
        object_id=observation.pk,
    )
    # The staff view is for staff of the entry's setting who are cleared there;
    # anyone else reading it (a parent who is also staff, say) gets the parent's view.
    staff_view = is_journal_staff(request.user, observation.setting_id)
    membership = membership_in(request.user, observation.setting_id) if staff_view else None
    reach = []
    if staff_view:
        setting_children = list(attending(Child.objects.filter(setting_id=observation.setting_id)))
        for item in observation.visible_media:
            reach.append((item, services.media_reach(item, shown), setting_children))
    return render(
        request,
        "journal/observation_detail.html",
        {
            "reach": reach,
            "observation": observation,
            "children": shown,
            "threads": _threads(request.user, observation, shown),
            "is_staff": staff_view,
            "is_leader": staff_view and membership.is_session_leader,
            "may_change": staff_view and may_change_entry(request.user, observation),
            "comment_form": CommentForm(),
            "reply_error": _reply_error_for(request, observation),
            "reject_form": RejectForm(),
            "review_form": ReviewForm(
                initial={
                    "feedback": observation.review_feedback,
                    "discuss": observation.discuss_at_meeting,
                }
            ),
            "revisions": observation.revisions.select_related("edited_by")[:20]
            if staff_view
            else [],
        },
    )


@staff
@require_POST
def media_appearances(request, media_id):
    item = selectors.media_for(request.user, media_id)
    if item.observation_id is None or not is_journal_staff(request.user, item.setting_id):
        raise Forbidden("Only staff can change who appears, once the photo is in an entry.")
    chosen = Child.objects.filter(
        setting_id=item.setting_id, pk__in=request.POST.getlist("appears")
    )
    try:
        services.media_set_appearances(
            media=item, children=list(chosen), changed_by=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Saved who appears in this photo or video.")
    return redirect("journal:observation", observation_id=item.observation_id)


@signed_in
@require_POST
def comment_add(request, observation_id):
    observation = selectors.observation_for(request.user, observation_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _reply_refused(request, observation, "Write a reply first, then send it.")
    child = None
    if form.cleaned_data["child"]:
        child = child_for(request.user, form.cleaned_data["child"])
    try:
        services.comment_add(
            observation=observation,
            author=request.user,
            text=form.cleaned_data["text"],
            child=child,
            request=request,
        )
    except ValidationError as error:
        return _reply_refused(request, observation, " ".join(error.messages))
    except PermissionDenied as error:
        raise Forbidden(str(error)) from None
    else:
        messages.success(request, "Your reply has been added.")
    return redirect("journal:observation", observation_id=observation.pk)


REPLY_ERROR = "acorn_reply_error"


def _reply_refused(request, observation, message):
    """Show why a reply wasn't sent beside its own box (once), in Acorn's error style."""
    child = request.POST.get("child", "")
    request.session[REPLY_ERROR] = {
        "observation": str(observation.pk),
        "child": child,
        "message": message,
    }
    url = reverse("journal:observation", kwargs={"observation_id": observation.pk})
    return redirect(f"{url}#reply-{child}" if child else url)


def _reply_error_for(request, observation):
    kept = request.session.pop(REPLY_ERROR, None)
    if kept and kept.get("observation") == str(observation.pk):
        return kept
    return None


def _staff_observation(request, observation_id):
    """An entry for a staff-only page: staff of *its* setting, cleared there (A-5)."""
    observation = selectors.observation_for(request.user, observation_id)
    if membership_in(request.user, observation.setting_id) is None:
        raise Forbidden("Only staff of the setting can do this.")
    require_cleared(request.user, observation.setting_id)
    return observation


def _changeable_observation(request, observation_id, what):
    observation = _staff_observation(request, observation_id)
    if not may_change_entry(request.user, observation):
        raise Forbidden(
            f"You can {what} your own entries, and those about your key children.",
            next_step="Please ask the author or a session leader to change this one.",
        )
    return observation


@staff
@require_POST
def observation_publish(request, observation_id):
    observation = _staff_observation(request, observation_id)
    try:
        services.observation_publish(
            observation=observation, published_by=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Published. Parents can see it now.")
    return redirect("journal:observation", observation_id=observation.pk)


def _edit_media_choices(request, observation, ids, children):
    """The photos and videos an edit keeps (in the order chosen) and adds: the entry's
    own, and new uploads of the editor (media_visible_to offers no one else's unattached
    upload). Who appears in each kept one comes from its "Who can be seen" chips."""
    if not ids:
        return []
    own = {str(item.pk): item for item in observation.media.all()}
    new_ids = [i for i in ids if i not in own]
    new = (
        {
            str(m.pk): m
            for m in selectors.media_visible_to(request.user).filter(
                pk__in=new_ids, observation__isnull=True, uploaded_by=request.user
            )
        }
        if new_ids
        else {}
    )
    if any(i not in own and i not in new for i in ids):
        raise ValidationError({"media": "One of the photos or videos is no longer available."})
    setting_children = {
        str(c.pk): c for c in Child.objects.filter(setting_id=observation.setting_id)
    }
    choices = []
    for media_id in dict.fromkeys(ids):
        appears = None
        if media_id in own and request.POST.get(f"appears-{media_id}-shown"):
            chosen = request.POST.getlist(f"appears-{media_id}")
            # The entry's children always count as appearing (C-1).
            appears = [setting_children[c] for c in chosen if c in setting_children] or list(
                children
            )
        choices.append(
            services.MediaChoice(media=own.get(media_id) or new[media_id], appears=appears)
        )
    return choices


@staff
def observation_edit(request, observation_id):
    observation = _changeable_observation(request, observation_id, "edit")
    current = [link.child for link in selectors.entry_links(observation)]
    choosable = list(attending(Child.objects.filter(setting_id=observation.setting_id)))
    choosable += [c for c in current if c.pk not in {x.pk for x in choosable}]
    choosable.sort(
        key=lambda c: (
            c.pk not in {x.pk for x in current},
            request.user.pk not in (c.key_person_id, c.backup_key_person_id),
            c.first_name,
        )
    )
    entry_media = list(observation.media.prefetch_related("appears"))
    form = ObservationEditForm(
        request.POST or None,
        children=choosable,
        initial={
            "children": [str(c.pk) for c in current],
            "text": observation.text,
            "observed_on": observation.observed_on,
            "areas": observation.areas,
            "aspects": observation.aspects,
            "characteristics": observation.characteristics,
            "next_steps": observation.next_steps,
            "media_ids": ",".join(str(item.pk) for item in entry_media),
            "children_shown": True,
            "version": observation.updated_at.isoformat(),
        },
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        version = fields.pop("version")
        for name in ("media_ids", "children", "children_shown"):
            fields.pop(name)
        try:
            children = form.chosen_children()
            services.observation_update(
                observation=observation,
                editor=request.user,
                request=request,
                expected_updated_at=version,
                children=children,
                # A form without the uploader's list (an old page) leaves the photos alone.
                media=_edit_media_choices(
                    request, observation, form.chosen_media_ids(), children or current
                )
                if "media_ids" in request.POST
                else None,
                **fields,
            )
        except ValidationError as error:
            _add_errors(form, error)
        except services.ChildrenNotYours as error:
            form.add_error("children", str(error))
        except PermissionDenied as error:
            raise Forbidden(str(error)) from None
        except services.EditConflict as error:
            # Both texts stay: theirs is saved, this person's is still in the form, and
            # saving again (knowingly) keeps theirs in the entry's history.
            conflict = error.current
            form.data = form.data.copy()
            form.data["version"] = conflict.updated_at.isoformat()
        else:
            messages.success(request, "Your changes are saved. The earlier version is kept.")
            return redirect("journal:observation", observation_id=observation.pk)
    chosen = form["media_ids"].value() or ""
    chosen_ids = [m for m in chosen.split(",") if m.strip()][: services.MAX_MEDIA]
    by_id = {str(item.pk): item for item in entry_media}
    new_ids = [m for m in chosen_ids if m not in by_id]
    if new_ids:
        by_id.update(
            (str(m.pk), m)
            for m in selectors.media_visible_to(request.user).filter(
                pk__in=new_ids, observation__isnull=True, uploaded_by=request.user
            )
        )
    appearing = {item.pk: {c.pk for c in item.appears.all()} for item in entry_media}
    return render(
        request,
        "journal/observation_edit.html",
        {
            "form": form,
            "observation": observation,
            "conflict": conflict,
            "children": choosable,
            "chosen_media": [by_id[m] for m in chosen_ids if m in by_id],
            "entry_media": [(item, appearing[item.pk]) for item in entry_media],
            "setting_children": choosable,
        },
    )


@staff
def observation_history(request, observation_id):
    """J-5: every version of an entry and what each edit changed, for the setting's
    cleared staff (a parent, even one who is uncleared staff, never sees old versions)."""
    observation = _staff_observation(request, observation_id)
    revisions = list(observation.revisions.select_related("edited_by"))
    current = history.current_state(observation, observation.visible_media)
    names = {
        str(c.pk): c.full_name
        for c in Child.objects.filter(
            pk__in=history.child_ids_in(revisions, current), setting_id=observation.setting_id
        )
    }
    audit_record(
        action="observation.history",
        request=request,
        setting_id=observation.setting_id,
        object_type="observation",
        object_id=observation.pk,
    )
    return render(
        request,
        "journal/observation_history.html",
        {
            "observation": observation,
            "versions": history.versions(observation, revisions, current, names),
            "may_change": may_change_entry(request.user, observation),
        },
    )


@staff
def observation_delete(request, observation_id):
    observation = _changeable_observation(request, observation_id, "delete")
    if request.method == "POST":
        try:
            services.observation_delete(
                observation=observation, deleted_by=request.user, request=request
            )
        except PermissionDenied as error:
            raise Forbidden(str(error)) from None
        messages.success(request, "The entry and its photos and videos have been deleted.")
        return redirect("children:list")
    return render(request, "journal/observation_delete.html", {"observation": observation})


@staff
@require_POST
def contribution_decide(request, observation_id):
    observation = _staff_observation(request, observation_id)
    try:
        if request.POST.get("decision") == "approve":
            services.contribution_approve(
                observation=observation, approved_by=request.user, request=request
            )
            messages.success(request, "Added to the journal. The parent has been told.")
        else:
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Please give the parent a reason.")
                return redirect("journal:observation", observation_id=observation.pk)
            services.contribution_reject(
                observation=observation,
                rejected_by=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, "Not added. The parent can see your reason.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("journal:pending")


def _feed(request, observations, *, title, empty, agenda=False):
    """A list of entries (drafts, contributions waiting, feedback, the agenda)."""
    return render(
        request,
        "journal/feed.html",
        {
            "entries": _entries_for_display(request.user, observations),
            "title": title,
            "empty": empty,
            "agenda": agenda,
        },
    )


@staff
def pending(request):
    return _feed(
        request,
        selectors.pending_contributions(request.user, request.membership.setting),
        title="From home: waiting for approval",
        empty="Nothing waiting. Contributions from parents will appear here.",
    )


@staff
def drafts(request):
    return _feed(
        request,
        selectors.drafts_of(request.user, request.membership.setting),
        title="My drafts",
        empty="No drafts. Everything you've written is published.",
    )


@staff
def my_feedback(request):
    return _feed(
        request,
        selectors.feedback_for(request.user, request.membership.setting)[:50],
        title="Feedback on my observations",
        empty="No feedback yet.",
    )


# As many as a journal page: the list is read on an iPad as often as at a desk.
REVIEW_PAGE_SIZE = PAGE_SIZE


@session_leader
def review_list(request):
    """J-6, a page at a time, newest first. Reviewing an entry brings the leader back to
    the same page, so on the unreviewed list the next ones move up into view."""
    setting = request.membership.setting
    show = request.GET.get("show", "unreviewed")
    author_id = request.GET.get("author") or None
    child_id = request.GET.get("child") or None
    offset = offset_param(request)
    observations = selectors.review_page(
        request.user,
        setting,
        offset=offset,
        size=REVIEW_PAGE_SIZE + 1,
        unreviewed=show != "all",
        author_id=author_id,
        child_id=child_id,
    )
    chosen = {"show": show, "author": author_id, "child": child_id}
    return render(
        request,
        "journal/review.html",
        {
            "entries": _entries_for_display(request.user, observations[:REVIEW_PAGE_SIZE]),
            "show": show,
            **selectors.review_choices(setting),
            "author_id": author_id,
            "child_id": child_id,
            "offset": offset,
            "older": offset + REVIEW_PAGE_SIZE if len(observations) > REVIEW_PAGE_SIZE else None,
            "filter_query": urlencode({name: value for name, value in chosen.items() if value}),
        },
    )


@session_leader
@require_POST
def review_submit(request, observation_id):
    observation = _staff_observation(request, observation_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.observation_review(
            observation=observation,
            reviewer=request.user,
            feedback=form.cleaned_data["feedback"],
            discuss=form.cleaned_data["discuss"],
            request=request,
        )
        messages.success(request, "Reviewed. The author can see your feedback.")
    # Back to the page of the list the leader was on, and only ever somewhere in Acorn.
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("journal:review")
    return redirect(target)


@session_leader
def agenda(request):
    return _feed(
        request,
        selectors.agenda(request.user, request.membership.setting),
        title="Staff meeting agenda",
        empty="Nothing on the agenda.",
        agenda=True,
    )


@session_leader
@require_POST
def agenda_discussed(request, observation_id):
    observation = _staff_observation(request, observation_id)
    services.agenda_mark_discussed(observation=observation, leader=request.user, request=request)
    messages.success(request, "Marked as discussed.")
    return redirect("journal:agenda")


@signed_in
def media_content(request, media_id, rendition):
    if rendition not in delivery.RENDITIONS:
        raise Http404
    item = selectors.media_for(request.user, media_id, rendition=rendition)
    try:
        return delivery.media_response(request, item, rendition)
    except delivery.NotReady:
        raise delivery.StillProcessing("Not ready.") from None


def _media_json(item: MediaItem) -> dict:
    return {
        "id": str(item.pk),
        "kind": item.kind,
        "status": item.status,
        "message": item.failure_message,
        "thumb": f"/media/{item.pk}/thumb" if item.status == "ready" else None,
    }


@signed_in
@require_POST
def media_upload(request):
    """Used by the capture page's script: one file per request, JSON back."""
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"detail": "Choose a photo or video.", "code": "invalid"}, status=400)
    child = None
    if request.POST.get("child") or request.membership is None:
        # For a child (a parent's contribution page): that child's setting.
        child = child_for(request.user, request.POST.get("child", ""))
        require_onboarded(request.user, child)
        setting = child.setting
    else:
        setting = request.membership.setting
        require_cleared(request.user, setting.pk)
    try:
        item = store_upload(
            uploader=request.user,
            setting=setting,
            uploaded_file=upload,
            request=request,
            child=child,
        )
    except StorageUnavailable as failure:
        return JsonResponse({"detail": failure.message, "code": "unavailable"}, status=503)
    except MediaRejected as refusal:
        status = 413 if refusal.code in ("too_large", "too_many_pixels", "too_long") else 415
        return JsonResponse({"detail": refusal.message, "code": refusal.code}, status=status)
    item.refresh_from_db()
    return JsonResponse(_media_json(item), status=201)


@signed_in
def media_status(request, media_id):
    return JsonResponse(_media_json(selectors.media_for(request.user, media_id)))


@signed_in
def notification_settings(request):
    # The setting lives on the account page; opening this address (a bookmark, or
    # sign-in's "next") goes there rather than to a blank "method not allowed".
    if request.method != "POST":
        return redirect(reverse("account") + "#emails")
    is_staff = bool(memberships_of(request.user))
    if not is_parent(request.user) and not is_staff:
        raise Forbidden("This page is for parents, carers and staff.")
    email = None
    if is_parent(request.user):
        email = request.POST.get("email")
        if email is None:  # the earlier form's single box
            email = "each" if request.POST.get("email_on_publish") == "on" else "none"
    try:
        preference = notices.email_choice_set(
            person=request.user,
            email=email,
            staff_daily_email=(request.POST.get("staff_daily_email") == "on") if is_staff else None,
        )
    except ValidationError:
        messages.error(request, "Please choose how you'd like to hear from us.")
        return redirect(reverse("account") + "#emails")
    said = {
        "each": "We'll email you each time there's something new.",
        "daily": "We'll send you one email a day at most, when there's something new.",
        "none": "We won't email you about new things: they'll be under Notifications.",
    }
    messages.success(request, said[preference.email] if email else "Your email choice is saved.")
    return redirect("account")
