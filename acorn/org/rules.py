"""Setting rules that decide whether a staff member may act now.

`observation_supervisor` is called by journal.services.observation_create for every
staff-written observation. The session-time rule (A-7) lives here: it returns the
supervising session leader for a practitioner without key children, or raises
OutsideSessionTimes. Until session times exist (the suitability/off-site issue), no
supervision is recorded.
"""


def observation_supervisor(*, author, setting_id):
    return None
