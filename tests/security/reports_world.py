"""The report the matrix probes: a shared two year check of the world's child (setting A),
made the first time a route asks for `report_id` in each test."""


def shared_report(world):
    from acorn.reports import services
    from acorn.reports.models import Report

    report = Report.objects.filter(child=world.child, status="shared").order_by("version").first()
    if report is None:
        report = services.report_create(
            child=world.child, kind="two_year_check", author=world.key_person
        )
        report = services.report_submit(report=report, person=world.key_person)
        report = services.report_review(report=report, reviewer=world.manager, approve=True)
        report = services.report_share(report=report, person=world.manager)
    return report
