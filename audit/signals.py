"""Admin changes to authoring models, recorded with their before and after.

Only while a request to the admin is being served: services record their own, higher-level
events (``pack.publish``, ``enrollment.import``, …). The models are named by label in
``settings.AUDIT_ADMIN_MODELS`` (label → action prefix) so that this app imports none of ours.
"""

from django.apps import apps
from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_save

from .context import current
from .services import audit_record, snapshot


def _in_admin() -> bool:
    request = current.get()
    return request is not None and request.is_admin


def _prefix(sender) -> str:
    return settings.AUDIT_ADMIN_MODELS.get(sender._meta.label, sender._meta.model_name)


def remember_before(sender, instance, raw=False, **kwargs) -> None:
    if raw or not _in_admin() or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None


def record_save(sender, instance, created, raw=False, **kwargs) -> None:
    if raw or not _in_admin():
        return
    before = None if created else getattr(instance, "_audit_before", None)
    # As stored, like ``before``: the instance may hold 12 where the row holds 12.0000.
    stored = sender._default_manager.filter(pk=instance.pk).first()
    after = snapshot(stored if stored is not None else instance)
    if before == after:
        return  # saved unchanged: nothing to tell
    audit_record(
        actor=None,
        action=f"{_prefix(sender)}.{'create' if created else 'change'}",
        obj=instance,
        before=before,
        after=after,
    )
    instance._audit_before = after


def record_delete(sender, instance, **kwargs) -> None:
    if not _in_admin():
        return
    audit_record(
        actor=None, action=f"{_prefix(sender)}.delete", obj=instance, before=snapshot(instance)
    )


def connect_admin_models() -> None:
    for label in settings.AUDIT_ADMIN_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue  # an app not installed in this configuration
        uid = f"audit:{label}"
        pre_save.connect(remember_before, sender=model, dispatch_uid=uid)
        post_save.connect(record_save, sender=model, dispatch_uid=uid)
        post_delete.connect(record_delete, sender=model, dispatch_uid=uid)
