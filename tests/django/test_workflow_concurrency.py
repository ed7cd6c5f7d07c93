"""Two people writing the same workflow state at once, on two real database connections.

The first writer holds its transaction open while a second thread (its own connection) makes
the same request. PostgreSQL: the second waits on the first's row lock (we see it waiting in
``pg_stat_activity``), then runs against the committed state. SQLite: IMMEDIATE transactions
let one writer in at a time, so the second cannot even begin while the first is open (the
test database is shared-cache in-memory, which answers "locked" at once instead of waiting);
once the first commits the same request runs against the committed state. Either way nothing
interleaves and nothing is written twice.
"""

import threading
import time
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction

from annotator.models import Annotation, Assignment, Code, Curation, Document, Membership
from annotator.services import workflow

pytestmark = pytest.mark.django_db(transaction=True)
DEADLINE = 30  # seconds; the waits below end as soon as their condition holds


class Second(threading.Thread):
    """Runs ``call`` on its own connection and keeps its outcome (a value or an exception)."""

    def __init__(self, call):
        super().__init__(daemon=True)
        self.call, self.outcome, self.backend_pid = call, None, None
        self.started_call = threading.Event()

    def run(self):
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self.backend_pid = cursor.fetchone()[0]
            self.started_call.set()
            self.outcome = self.call()
        except Exception as exc:  # the test inspects what the second writer met
            self.outcome = exc
        finally:
            connection.close()


def wait_until_blocked_or_done(second: Second) -> str:
    """'waiting' once PostgreSQL shows the second connection waiting for a lock, 'done' once
    the thread finished (what SQLite does: it refuses at once)."""
    assert second.started_call.wait(DEADLINE)
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if not second.is_alive():
            return "done"
        if second.backend_pid is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                    [second.backend_pid],
                )
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                return "waiting"
        time.sleep(0.01)
    raise AssertionError("the second writer neither waited for a lock nor finished")


def while_first_is_open(first, second_call):
    """Run ``first`` inside an open transaction; meanwhile start ``second_call``; commit."""
    second = Second(second_call)
    with transaction.atomic():
        first_result = first()
        second.start()
        state = wait_until_blocked_or_done(second)
    second.join(DEADLINE)
    assert not second.is_alive()
    return first_result, state, second.outcome


def assert_sqlite_refused_at_once(state, outcome):
    assert state == "done"
    assert isinstance(outcome, OperationalError) and "locked" in str(outcome)


@pytest.fixture
def coders(members, demo_project, make_user):
    third = make_user("third")
    Membership.objects.create(user=third, project=demo_project, role="annotator")
    return [members["annotator"], members["annotator2"], third]


def test_two_managers_generating_assignments_at_once_make_no_duplicates(demo_project, coders):
    def generate():
        return workflow.assignments_auto(project=demo_project, coders=coders, k=2)

    created, state, outcome = while_first_is_open(generate, generate)
    assert len(created) == 10
    if connection.vendor == "postgresql":
        # The second waited for the first, then found every document with its two coders.
        assert state == "waiting"
        assert outcome == []
    else:
        assert_sqlite_refused_at_once(state, outcome)
        assert generate() == []
    per_doc = Counter(Assignment.objects.values_list("document_id", flat=True))
    assert per_doc == dict.fromkeys(range(1, 6), 2)
    assert Assignment.objects.count() == 10


def test_a_stale_curation_edit_waits_for_the_lock_and_is_refused(demo_project, members):
    document = Document.objects.get(pk=1)
    Curation.objects.create(document=document)
    trade = Code.objects.get(name="trade")

    def add(curator, start):
        def call():
            return workflow.gold_add(
                document=document,
                curator=curator,
                code=trade,
                start_offset=start,
                end_offset=start + 10,
                version=0,
            )

        return call

    _, state, outcome = while_first_is_open(add(members["curator"], 0), add(members["manager"], 20))
    if connection.vendor == "postgresql":
        assert state == "waiting"
        assert isinstance(outcome, ValidationError)
        assert "changed since you loaded it" in str(outcome)
    else:
        assert_sqlite_refused_at_once(state, outcome)
        # Run now, after the first committed, the stale edit is refused the same way.
        with pytest.raises(ValidationError, match="changed since you loaded it"):
            add(members["manager"], 20)()
    assert Curation.objects.get(document=document).version == 1
    gold = demo_project.__class__.objects.get(pk=demo_project.pk).gold_user
    assert list(Annotation.objects.filter(coder=gold).values_list("start_offset", flat=True)) == [0]
