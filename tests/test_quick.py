"""The lists' items are dumped by `quick_dump`: the same JSON as the schema's own dump."""

from __future__ import annotations

from pathlib import Path

import pytest
from marshmallow import Schema, fields, post_dump

from mockjobs.contract.batches import BATCH_ITEM
from mockjobs.contract.quick import quick_dump
from mockjobs.contract.records import JobSchema
from mockjobs.mock.datasets import DataSet
from mockjobs.mock.state import Mock
from mockjobs.store import open_store
from mockjobs.vocabulary import RESPONSE_FIELDS

ODD = str(Path(__file__).parent / "data" / "odd_ids.json")


@pytest.mark.parametrize(
    "dataset", [DataSet(seed=300), DataSet(fixtures=(ODD,))], ids=["generated", "odd"]
)
def test_quick_dump_is_the_schemas_dump_for_every_stored_job_and_batch(dataset: DataSet) -> None:
    mock = Mock(open_store(), dataset)
    mock.load()
    jobs = mock.jobs.by_rowid(range(1, mock.jobs.count() + 1))
    batches = mock.batch_records.by_rowid(range(1, mock.batch_records.count() + 1))
    assert jobs and batches
    job_item = JobSchema(only=RESPONSE_FIELDS)
    for records, schema in ((jobs, job_item), (batches, BATCH_ITEM)):
        dump = quick_dump(schema)
        assert dump != schema.dump  # quick indeed: its Function fields are settled too
        for record in records.values():
            assert list(dump(record).items()) == list(schema.dump(record).items())
    # A value missing from a record is left out, as the schema's dump leaves it.
    record = dict(next(iter(jobs.values())))
    del record["slurm_job_id"]
    assert quick_dump(job_item)(record) == job_item.dump(record)


def test_a_schema_it_cannot_settle_keeps_its_own_dump() -> None:
    class Hooked(Schema):
        name = fields.String()

        @post_dump
        def shout(self, data: dict, **_: object) -> dict:
            return {key: value.upper() for key, value in data.items()}

    class Defaulted(Schema):
        name = fields.String(dump_default="anonymous")

    hooked, defaulted = Hooked(), Defaulted()
    assert quick_dump(hooked) == hooked.dump and quick_dump(hooked)({"name": "a"}) == {"name": "A"}
    assert quick_dump(defaulted)({}) == {"name": "anonymous"}
