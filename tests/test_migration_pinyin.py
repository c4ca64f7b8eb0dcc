"""The pinyin-readings migration backfills the search text of existing enterprises."""

from __future__ import annotations

from sqlalchemy import select

from crm.enterprises.models import Enterprise
from tests.test_migrations import _flask, database  # noqa: F401 — fixture

TABLE = Enterprise.__table__


def test_upgrade_reindexes_existing_rows_with_every_reading(database, tmp_path):  # noqa: F811
    url, engine = database
    instance = tmp_path / "instance"
    _flask(url, instance, "db", "upgrade", "0011_search_grams")
    with engine.begin() as conn:
        conn.execute(
            TABLE.insert().values(
                name="济源龙峤科技有限公司",
                normalized_name="龙峤科技",
                aliases="峤峰",
                search_text="济源龙峤科技有限公司 jiyuanlongjiaokejiyouxiangongsi jyljkjyxgs",
            )
        )
    _flask(url, instance, "db", "upgrade")
    with engine.connect() as conn:
        text = conn.scalar(select(TABLE.c.search_text))
    assert "jyljkjyxgs" in text  # the usual reading stays first
    assert "jylqkjyxgs" in text and "qf" in text  # 峤 as qiao, in the name and the alias
