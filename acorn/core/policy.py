"""Policy refusals: a rule said no. Each carries the machine code of API.md and a plain
sentence saying what happened and what to do next. The web turns them into a 403 page,
the API into `{"detail", "code"}` with status 403."""


class PolicyRefusal(Exception):
    code = "forbidden"
    status = 403
    default_detail = "You don't have permission to do that."
    title = "Not allowed"

    def __init__(self, detail: str | None = None, *, next_step: str | None = None):
        self.detail = detail or self.default_detail
        self.next_step = next_step
        super().__init__(self.detail)


class Forbidden(PolicyRefusal):
    pass


class ChecksIncomplete(PolicyRefusal):
    code = "checks_incomplete"
    title = "Your suitability checks are not complete"
    default_detail = (
        "You can't see children's information until your suitability checks are recorded."
    )


class OffSite(PolicyRefusal):
    code = "off_site"
    title = "Only key people can use Acorn away from the setting"
    default_detail = "You're connecting from outside the setting, and only key people may do that."


class OutsideSessionTimes(PolicyRefusal):
    code = "outside_session_times"
    title = "Outside session times"
    default_detail = (
        "You can record observations only during session times while a session leader is on duty."
    )


class AgreementRequired(PolicyRefusal):
    code = "agreement_required"
    title = "One more step before you can see the journal"
    default_detail = "Please sign the agreement and answer the photo consent question first."


class MfaEnrolmentRequired(PolicyRefusal):
    code = "mfa_enrolment_required"
    title = "Set up two-step sign-in"
    default_detail = "Please set up two-step sign-in before you continue."


class ReauthenticationRequired(PolicyRefusal):
    code = "reauthentication_required"
    title = "Please confirm it's you"
    default_detail = (
        "For this change we need you to have entered your password (and code) in the last "
        "5 minutes."
    )


class Throttled(PolicyRefusal):
    code = "throttled"
    status = 429
    title = "Too many attempts"
    default_detail = "Too many failed attempts. Please wait 15 minutes and try again."
