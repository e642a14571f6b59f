from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acorn.core.access import signed_in
from acorn.notices import selectors, services

PAGE_SIZE = 20


@signed_in
def notice_list(request):
    """Everyone's own notifications, newest first, the unread ones marked."""
    paginator = Paginator(selectors.notices_for(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    items = [(notice, selectors.describe(notice)) for notice in page.object_list]
    return render(
        request,
        "notices/list.html",
        {"page": page, "items": items, "any_unread": selectors.unread_count(request.user) > 0},
    )


@signed_in
def notice_open(request, notice_id):
    """Opening a notification marks it read and goes to what it is about (which checks,
    again, that this person may see it)."""
    notice = selectors.notice_for(request.user, notice_id)
    if notice.read_at is None:
        services.mark_read(recipient=request.user, notices=[notice])
    return redirect(selectors.describe(notice).path)


@signed_in
@require_POST
def notice_read_all(request):
    marked = services.mark_read(recipient=request.user)
    selectors.forget_unread_count(request.user)
    if marked:
        messages.success(request, "All caught up: everything is marked as read.")
    return redirect("notices:list")
