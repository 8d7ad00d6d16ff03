"""The signed-in person's own enrollment, read by the two hottest requests (/my/, /api/me/) in
one statement written once per process.

What the ORM would build for it (``select_related`` of first value, manager and buddy, and on
/my/ three ``Exists`` for the page's navigation and banners) cost more in Python, building and
compiling the query on every request, than the database took to answer it: about 2 ms of the
page's 7 (docs/testing.md, "Benchmarks and their floors"). Here the SQL is made from the models'
``_meta`` once, the rows go through the same converters the ORM applies (``get_db_converters``)
and become model instances with ``Model.from_db``, as a queryset's rows do; the relations are
cached on the instance the way ``select_related`` caches them. The tests compare every field
with what the ORM reads (tests/onboarding/test_own_read.py).
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from roles.models import Intervention
from roles.permissions import PERMISSION_APP_LABEL, PERMISSION_CODENAME

from ..models import Enrollment, EnrollmentDay, FvmCompletion, InterventionSend, StepCompletion

User = get_user_model()


class _Columns:
    """One model's columns in the statement: their SQL, and how a row's values become an
    instance (the ORM's converters for each field, then ``from_db``)."""

    def __init__(self, model, alias: str):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(f.column)}" for f in self.fields)
        self.converters = [_converters(f, alias) for f in self.fields]

    def build(self, values):
        if values[0] is None:  # the LEFT JOIN found none
            return None
        converted = [_convert(v, c) for v, c in zip(values, self.converters, strict=True)]
        return self.model.from_db(connection.alias, self.names, converted)


def _converters(field, alias: str):
    """(the column, the converters the ORM applies to its values), as a queryset's compiler
    finds them."""
    col = field.get_col(alias)
    return col, connection.ops.get_db_converters(col) + field.get_db_converters(connection)


def _convert(value, found):
    col, converters = found
    for converter in converters:
        value = converter(value, col, connection)
    return value


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


@cache
def _statement(vendor: str, people: bool):
    """(SQL, the models' columns in order) for a vendor; made once per process."""
    parts = [_Columns(Enrollment, "e"), _Columns(FvmCompletion, "f")]
    joins = [
        f"LEFT JOIN {_table(FvmCompletion)} f ON f.{_column(FvmCompletion, 'enrollment')} = e.id"
    ]
    flags = ""
    if people:
        parts += [_Columns(User, "m"), _Columns(User, "b")]
        users = _table(User)
        joins += [
            f"LEFT JOIN {users} m ON m.id = e.{_column(Enrollment, 'manager')}",
            f"LEFT JOIN {users} b ON b.id = e.{_column(Enrollment, 'buddy')}",
        ]
        flags = ", " + ", ".join(_flags_sql())
    sql = (
        f"SELECT {', '.join(p.sql for p in parts)}{flags} FROM {_table(Enrollment)} e "
        + " ".join(joins)
        + f" WHERE e.{_column(Enrollment, 'user')} = %s"
    )
    return sql, parts


def _flags_sql() -> list[str]:
    """The page's three answers as EXISTS, in the order their params go (``_flag_params``)."""
    e, send, fvm = Enrollment, InterventionSend, FvmCompletion
    user_perms = User.user_permissions.through
    group_perms = Group.permissions.through
    user_groups = User.groups.through
    # Whether they lead anyone (team_nav.has_team).
    leads = (
        f"EXISTS (SELECT 1 FROM {_table(e)} x WHERE x.{_column(e, 'manager')} = %s"
        f" OR x.{_column(e, 'buddy')} = %s)"
    )
    # The rollout permission held directly or through a group (roles.permissions.
    # is_enablement; superusers and inactive accounts are answered without it).
    rollout = (
        f"EXISTS (SELECT 1 FROM {_table(Permission)} p JOIN {_table(ContentType)} ct"
        f" ON ct.id = p.{_column(Permission, 'content_type')}"
        f" WHERE ct.{_column(ContentType, 'app_label')} = %s"
        f" AND p.{_column(Permission, 'codename')} = %s AND ("
        f"EXISTS (SELECT 1 FROM {_table(user_perms)} up"
        f" WHERE up.{_column(user_perms, 'permission')} = p.id"
        f" AND up.{_column(user_perms, 'user')} = %s) OR "
        f"EXISTS (SELECT 1 FROM {_table(group_perms)} gp JOIN {_table(user_groups)} ug"
        f" ON ug.{_column(user_groups, 'group')} = gp.{_column(group_perms, 'group')}"
        f" WHERE gp.{_column(group_perms, 'permission')} = p.id"
        f" AND ug.{_column(user_groups, 'user')} = %s)))"
    )
    # Whether any in-app banner is sent to them (banners.banners_for_user, which reads them
    # when this says so): its filter, with iexact as UPPER() = UPPER().
    banners = (
        f"EXISTS (SELECT 1 FROM {_table(send)} s"
        f" JOIN {_table(Intervention)} i ON i.id = s.{_column(send, 'intervention')}"
        f" LEFT JOIN {_table(fvm)} sf ON sf.{_column(fvm, 'enrollment')} = s.{_column(send, 'enrollment')}"
        f" WHERE s.{_column(send, 'status')} = %s AND i.{_column(Intervention, 'channel')} = %s"
        f" AND UPPER(s.{_column(send, 'recipient')}) = UPPER(%s) AND sf.id IS NULL)"
    )
    return [leads, rollout, banners]


def _flag_params(user) -> list:
    return [
        *(user.pk, user.pk),
        *(PERMISSION_APP_LABEL, PERMISSION_CODENAME, user.pk, user.pk),
        *(InterventionSend.Status.SENT.value, Intervention.Channel.IN_APP.value, user.email),
    ]


def own_enrollment(user, *, people: bool) -> Enrollment | None:
    """The enrollment of ``user`` (an active, signed-in account) with its first value cached,
    and with ``people`` its manager and buddy too and the page's three answers set on
    ``user``: ``has_team_known``, ``is_enablement_known``, ``banners_waiting_known``."""
    sql, parts = _statement(connection.vendor, people)
    params = [*(_flag_params(user) if people else ()), user.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for part in parts:
        end = start + len(part.fields)
        instances.append(part.build(row[start:end]))
        start = end
    enrollment, fvm = instances[0], instances[1]
    # Cached as select_related caches them: reading them makes no query.
    Enrollment.fvm_completion.related.set_cached_value(enrollment, fvm)
    if people:
        manager, buddy = instances[2], instances[3]
        Enrollment.manager.field.set_cached_value(enrollment, manager)
        Enrollment.buddy.field.set_cached_value(enrollment, buddy)
        leads, rollout, banners = row[start:]
        user.has_team_known = bool(leads)
        user.is_enablement_known = user.is_active and (user.is_superuser or bool(rollout))
        user.banners_waiting_known = bool(banners)
    return enrollment


@cache
def _days_statement(vendor: str):
    """(SQL, converters of a day's date, converters of a step's done_at) for a vendor."""
    day, done = EnrollmentDay._meta.get_field("date"), StepCompletion._meta.get_field("done_at")
    sql = (
        f"SELECT 0, {_column(EnrollmentDay, 'number')}, {_column(EnrollmentDay, 'date')}, NULL"
        f" FROM {_table(EnrollmentDay)} WHERE {_column(EnrollmentDay, 'enrollment')} = %s"
        f" AND {_column(EnrollmentDay, 'number')} <= 7 UNION ALL"
        f" SELECT 1, {_column(StepCompletion, 'step')}, NULL, {_column(StepCompletion, 'done_at')}"
        f" FROM {_table(StepCompletion)} WHERE {_column(StepCompletion, 'enrollment')} = %s"
    )
    return sql, _converters(day, "d"), _converters(done, "c")


def own_days_and_done(enrollment_id: int) -> tuple[dict, dict]:
    """The dates of working days 1–7 and when each done step was done, in one statement
    written once (``enrollments.days_and_done`` without its prefetched case)."""
    sql, day_field, done_field = _days_statement(connection.vendor)
    day_dates, done_at = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [enrollment_id, enrollment_id])
        for kind, number, day, when in cursor.fetchall():
            if kind == 0:
                day_dates[number] = _convert(day, day_field)
            else:
                done_at[number] = _convert(when, done_field)
    return day_dates, done_at
