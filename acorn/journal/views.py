from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from acorn.audit.services import audit_record
from acorn.children.models import Child
from acorn.children.selectors import (
    child_for,
    children_of_setting,
    is_staff_for,
    require_onboarded,
)
from acorn.core.access import parent, session_leader, signed_in, staff
from acorn.core.middleware import audit_refusal
from acorn.core.policy import Forbidden, OutsideSessionTimes
from acorn.journal import delivery, selectors, services
from acorn.journal.forms import (
    CommentForm,
    ContributionForm,
    ObservationEditForm,
    ObservationForm,
    RejectForm,
    ReviewForm,
)
from acorn.journal.media import media_upload as store_upload
from acorn.journal.models import MediaItem, NotificationPreference
from acorn.media_processing import MediaRejected
from acorn.org.selectors import membership_in, staff_of
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


@signed_in
def child_journal(request, child_id):
    child = child_for(request.user, child_id)
    try:
        offset = max(int(request.GET.get("from", 0)), 0)
    except ValueError:
        offset = 0
    page = list(selectors.journal_for(request.user, child)[offset : offset + PAGE_SIZE + 1])
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
    form = ObservationForm(
        request.POST or None, children=children, initial={"children": request.GET.getlist("child")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            observation = services.observation_create(
                author=request.user,
                children=form.chosen_children(),
                text=form.cleaned_data["text"],
                observed_on=form.cleaned_data["observed_on"],
                areas=form.cleaned_data["areas"],
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
            if observation.status == "published":
                messages.success(request, "Published. Parents can see it now.")
            else:
                messages.success(
                    request, "Saved as a draft. Only you can see it until you publish it."
                )
            return _saved(request, observation)
    return render(
        request,
        "journal/observation_new.html",
        {"form": form, "children": children, "chosen_media": _chosen_media(request, form)},
    )


def _chosen_media(request, form):
    """Uploads already made for a form that is shown again (so nothing is lost)."""
    ids = [m for m in (form.data.get("media_ids") or "").split(",") if m.strip()]
    if not ids:
        return []
    return list(selectors.media_visible_to(request.user).filter(pk__in=ids[:20]))


@parent
def contribution_new(request, child_id):
    child = child_for(request.user, child_id)
    if is_staff_for(request.user, child):
        return redirect(f"/observations/new?child={child.pk}")
    form = ContributionForm(request.POST or None)
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
            messages.success(
                request,
                f"Thank you! {child.first_name}'s key person will look at it and add it to "
                "the journal.",
            )
            return _saved(request, observation)
    return render(
        request,
        "journal/contribution_new.html",
        {"form": form, "child": child, "chosen_media": _chosen_media(request, form)},
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
    membership = membership_in(request.user, observation.setting_id)
    reach = []
    if membership is not None:
        setting_children = list(
            Child.objects.filter(setting_id=observation.setting_id, status="active")
        )
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
            "is_staff": membership is not None,
            "is_leader": membership is not None and membership.is_session_leader,
            "comment_form": CommentForm(),
            "reject_form": RejectForm(),
            "review_form": ReviewForm(
                initial={
                    "feedback": observation.review_feedback,
                    "discuss": observation.discuss_at_meeting,
                }
            ),
            "revisions": observation.revisions.select_related("edited_by")[:20]
            if membership
            else [],
        },
    )


@staff
@require_POST
def media_appearances(request, media_id):
    item = selectors.media_for(request.user, media_id)
    if item.observation_id is None or membership_in(request.user, item.setting_id) is None:
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
        messages.error(request, "Write a reply first.")
        return redirect("journal:observation", observation_id=observation.pk)
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
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        raise Forbidden(str(error)) from None
    else:
        messages.success(request, "Your reply has been added.")
    return redirect("journal:observation", observation_id=observation.pk)


def _staff_observation(request, observation_id):
    observation = selectors.observation_for(request.user, observation_id)
    if membership_in(request.user, observation.setting_id) is None:
        raise Forbidden("Only staff of the setting can do this.")
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


@staff
def observation_edit(request, observation_id):
    observation = _staff_observation(request, observation_id)
    form = ObservationEditForm(
        request.POST or None,
        initial={
            "text": observation.text,
            "observed_on": observation.observed_on,
            "areas": observation.areas,
            "aspects": observation.aspects,
            "characteristics": observation.characteristics,
            "next_steps": observation.next_steps,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.observation_update(
                observation=observation, editor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            raise Forbidden(str(error)) from None
        else:
            messages.success(request, "Your changes are saved. The earlier version is kept.")
            return redirect("journal:observation", observation_id=observation.pk)
    return render(
        request, "journal/observation_edit.html", {"form": form, "observation": observation}
    )


@staff
def observation_delete(request, observation_id):
    observation = _staff_observation(request, observation_id)
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


@session_leader
def review_list(request):
    setting = request.membership.setting
    show = request.GET.get("show", "unreviewed")
    author_id = request.GET.get("author") or None
    child_id = request.GET.get("child") or None
    observations = selectors.review_list(
        request.user, setting, unreviewed=show != "all", author_id=author_id, child_id=child_id
    )
    return render(
        request,
        "journal/review.html",
        {
            "entries": _entries_for_display(request.user, observations[:50]),
            "show": show,
            "authors": staff_of(setting),
            "children": Child.objects.filter(setting=setting).order_by("first_name"),
            "author_id": author_id,
            "child_id": child_id,
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
    return redirect(request.POST.get("next") or "journal:review")


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
        raise Http404("Not ready.") from None


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
    if request.membership is not None:
        setting = request.membership.setting
        require_cleared(request.user, setting.pk)
    else:
        child = child_for(request.user, request.POST.get("child", ""))
        require_onboarded(request.user, child)
        setting = child.setting
    try:
        item = store_upload(
            uploader=request.user, setting=setting, uploaded_file=upload, request=request
        )
    except MediaRejected as refusal:
        status = 413 if refusal.code in ("too_large", "too_many_pixels", "too_long") else 415
        return JsonResponse({"detail": refusal.message, "code": refusal.code}, status=status)
    item.refresh_from_db()
    return JsonResponse(_media_json(item), status=201)


@signed_in
def media_status(request, media_id):
    return JsonResponse(_media_json(selectors.media_for(request.user, media_id)))


@parent
@require_POST
def notification_settings(request):
    wanted = request.POST.get("email_on_publish") == "on"
    NotificationPreference.objects.update_or_create(
        user=request.user, defaults={"email_on_publish": wanted}
    )
    messages.success(
        request,
        "We'll email you when there's something new."
        if wanted
        else "We won't email you about new entries.",
    )
    return redirect("account")
