from django.tasks import task

from acorn.journal import notifications, processing


@task()
def process_media_item(media_id: str) -> str:
    return processing.media_process(media_id)


@task()
def notify_entry_published(observation_id: str, child_ids: list[str] | None = None) -> int:
    return notifications.entry_published(observation_id, child_ids)


@task()
def notify_contribution_decided(observation_id: str) -> int:
    return notifications.contribution_decided(observation_id)


@task()
def render_shared_media(media_id: str) -> str:
    from acorn.journal.faces import media_render_shared

    return media_render_shared(media_id)
