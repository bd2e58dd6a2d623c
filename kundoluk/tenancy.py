"""School scoping, enforced in one place for every ORM query.

During a request, every SELECT of a school-owned table is limited to the schools
the current role context may see (g.tenant_school_ids, set by kundoluk.web.access).
No context means no schools: default deny. Code that must look across schools on
purpose (resolving who a signed-in person is, the CLI, the worker) either runs
outside a request or says so with .execution_options(all_schools=True).
"""
from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

from kundoluk.models import SchoolOwned


def set_schools(school_ids):
    """Let this request see rows of these schools only."""
    g.tenant_school_ids = frozenset(school_ids)


def current_schools():
    return getattr(g, "tenant_school_ids", frozenset())


def _scope(execute_state):
    if not execute_state.is_select or not has_request_context():
        return
    if execute_state.execution_options.get("all_schools"):
        return
    ids = tuple(current_schools())
    execute_state.statement = execute_state.statement.options(with_loader_criteria(
        SchoolOwned, lambda cls: cls.school_id.in_(ids), include_aliases=True,
        track_closure_variables=True))


def init_app(app):
    event.listen(Session, "do_orm_execute", _scope)
