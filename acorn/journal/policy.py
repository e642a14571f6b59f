"""Who may write to the journal, decided in one place.

Every write of `journal.services` (create, edit, delete, publish, approve, reject, reply,
upload, who appears, review) asks `require_staff_write` before it writes anything, so the
web pages and the API can't differ and no write can skip a rule that create follows:

- "Staff" means a membership of *the object's* setting and cleared there (A-5). A
  membership alone, or staff of some other setting, never counts: such a person writes
  as a parent (of their own child) or not at all.
- A-6 (off site) is decided by the object's setting's networks, not by whichever
  setting the person happens to be working in.
- A-7 (session times, a session leader on duty) for practitioners without key children.

`may_change_entry` is J-5's ownership rule: see its docstring.
"""

from django.core.exceptions import PermissionDenied

from acorn.org.rules import observation_supervisor, off_site_refusal
from acorn.org.selectors import membership_in
from acorn.suitability.selectors import is_cleared, require_cleared


def is_journal_staff(person, setting_id) -> bool:
    """Staff of this setting, cleared to see its children's data (A-5)."""
    return is_cleared(person, setting_id)


def require_on_site_in(request, membership) -> None:
    """A-6 for the setting of the object being written, by that setting's own networks
    and proxies (request None: not a web or API request, e.g. a management command, so
    there is no address to judge)."""
    if request is None:
        return
    refusal = off_site_refusal(request, membership)
    if refusal is not None:
        raise refusal


def require_staff_write(*, person, setting_id, request=None, what="do that", publishing=True):
    """The rules every staff write follows, as create does: a member of this setting
    (else PermissionDenied), cleared (A-5), on site (A-6), and for practitioners without
    key children, in session time with a leader on duty (A-7). Returns the session leader
    supervising the write (A-7), or None. `publishing=False` is for the author's own
    draft, which nobody else sees: A-7 decides when it is published, not when it's saved."""
    membership = membership_in(person, setting_id)
    if membership is None:
        raise PermissionDenied(f"Only staff of the setting can {what}.")
    require_cleared(person, setting_id)
    require_on_site_in(request, membership)
    if not publishing:
        return None
    return observation_supervisor(author=person, setting_id=setting_id)


def may_change_entry(person, observation, children=None) -> bool:
    """J-5: who may edit or delete an entry. Its author; a session leader of its setting;
    or the key person of every child in it. The policy (1.8) makes each key person
    "responsible for ... the compilation of their learning journals" while "all staff
    are able to capture observations for each other's children", and entries are the
    setting's property: so a key person may put right what others wrote about their key
    children, but not about children who are someone else's. Drafts stay their author's.
    Staff rules (A-5 to A-7) are checked separately by `require_staff_write`.
    `children`: the entry's children as an edit would leave them (a key person may add
    only their own key children, so the entry stays one they may change)."""
    if observation.author_id == person.pk:
        return True
    if observation.status == observation.Status.DRAFT:
        return False
    membership = membership_in(person, observation.setting_id)
    if membership is None:
        return False
    if membership.is_session_leader:
        return True
    current = [link.child for link in observation.links.select_related("child")]
    every = current + list(children or [])
    return bool(current) and all(child.key_person_id == person.pk for child in every)
