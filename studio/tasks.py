"""The studio's Celery task: a push to an AI tool (studio.pushes), by the run's id."""

from celery import shared_task

from studio import pushes


@shared_task(name=pushes.PUSH_TASK, acks_late=True, ignore_result=True)
def push_run_task(run_id: int) -> str:
    return pushes.push_run(run_id)
