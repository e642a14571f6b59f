from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acorn.audit.services import audit_record
from acorn.children.selectors import child_for, children_of_setting, is_staff_for
from acorn.core.access import signed_in, staff
from acorn.journal import selectors, services
from acorn.journal.forms import ObservationForm

PAGE_SIZE = 20


def _entries_for_display(user, observations):
    return [(obs, selectors.children_shown_to(user, obs)) for obs in observations]


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
                request=request,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if observation.status == "published":
                messages.success(request, "Published. Parents can see it now.")
            else:
                messages.success(
                    request, "Saved as a draft. Only you can see it until you publish it."
                )
            return redirect("journal:observation", observation_id=observation.pk)
    return render(request, "journal/observation_new.html", {"form": form, "children": children})


@signed_in
def observation_detail(request, observation_id):
    observation = selectors.observation_for(request.user, observation_id)
    shown = selectors.children_shown_to(request.user, observation)
    for child in shown:
        audit_record(
            action="observation.read",
            request=request,
            setting_id=observation.setting_id,
            child_id=child.pk,
            object_type="observation",
            object_id=observation.pk,
        )
        break
    return render(
        request,
        "journal/observation_detail.html",
        {
            "observation": observation,
            "children": shown,
            "is_staff": request.membership is not None
            and request.membership.setting_id == observation.setting_id,
        },
    )


@staff
@require_POST
def observation_publish(request, observation_id):
    observation = selectors.observation_for(request.user, observation_id)
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
def drafts(request):
    observations = selectors.drafts_of(request.user, request.membership.setting)
    return render(
        request,
        "journal/drafts.html",
        {"entries": _entries_for_display(request.user, observations)},
    )
