from django.tasks import task

from acorn.leaving import services


@task()
def build_keepsake(export_id: str) -> str:
    return services.keepsake_build(export_id)
