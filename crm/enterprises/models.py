"""Enterprise (企业) and Contact (联系人)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.timeutil import utcnow
from crm.extensions import db

LABELS = (
    "世界500强",
    "中国500强",
    "上市公司",
    "专精特新",
    "小巨人",
    "单项冠军",
    "高新技术企业",
    "头雁",
    "瞪羚",
    "链主",
)
TIERS = ("龙头", "骨干", "配套", "小微")
OWNERSHIPS = ("国有", "民营", "外资", "港澳台", "混合所有制", "其他")


class Enterprise(db.Model):
    """A company, identified by its 统一社会信用代码 when known; shared city-wide."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    normalized_name: Mapped[str] = mapped_column(String(200), index=True)
    aliases: Mapped[str] = mapped_column(String(500), default="")
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    hq_province: Mapped[str] = mapped_column(String(40), default="")
    hq_city: Mapped[str] = mapped_column(String(40), default="")
    industry: Mapped[str] = mapped_column(String(100), default="", index=True)
    ownership: Mapped[str] = mapped_column(String(20), default="")
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    tier: Mapped[str] = mapped_column(String(10), default="")
    is_local: Mapped[bool] = mapped_column(default=False)
    website: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Registration facts (工商登记), as data providers (企查查, 天眼查 …) export them. Capital in
    # 万 of its currency (人民币 unless the currency says otherwise).
    legal_representative: Mapped[str] = mapped_column(String(100), default="")
    registered_capital_wan: Mapped[int | None]
    registered_capital_currency: Mapped[str] = mapped_column(String(10), default="")
    paid_in_capital_wan: Mapped[int | None]
    paid_in_capital_currency: Mapped[str] = mapped_column(String(10), default="")
    founded_on: Mapped[date | None]
    business_status: Mapped[str] = mapped_column(String(20), default="")
    insured_count: Mapped[int | None]
    business_scope: Mapped[str] = mapped_column(Text, default="")
    gb_section: Mapped[str] = mapped_column(String(1), default="")  # GB/T 4754 门类
    gb_division: Mapped[str] = mapped_column(String(2), default="")  # GB/T 4754 大类
    # name, aliases, full pinyin, pinyin initials and credit code, lower-case: one indexed
    # column for the search box (pg_trgm GIN index on PostgreSQL).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL")
    )

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="enterprise", order_by="Contact.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index(
            "ix_enterprise_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    def __repr__(self) -> str:
        return f"<Enterprise {self.id} {self.name}>"


class IndustryClass(db.Model):
    """A GB/T 4754-2017 门类 (code A–T, no section) or 大类 (code 01–97 and its 门类)."""

    __tablename__ = "industry_class"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    section: Mapped[str] = mapped_column(String(1), default="")


class Contact(db.Model):
    """A person at an enterprise."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(back_populates="contacts")


# Every Chinese character and pair of adjacent Chinese characters of a search text, for a GIN
# index: pg_trgm needs three characters, and Chinese names are searched by one or two (铜箔,
# 氢能, 豫光). IMMUTABLE, so PostgreSQL keeps the expression index itself on every write —
# nothing to maintain in the application and nothing that can go stale. ASCII (pinyin, codes)
# stays with the trigram index.
# The text is split once at ASCII and spaces, and the grams are cut from the pieces with no
# regular expression per gram (ten times cheaper on a 250-character search text with pinyin,
# which every insert and every name change pays; same grams as cutting the whole text and
# keeping the grams without ASCII or space — tests/test_search_grams.py compares the two).
SEARCH_GRAMS = r"""
CREATE OR REPLACE FUNCTION search_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM regexp_split_to_table(t, '[\x01-\x7f[:space:]]+') AS w,
       generate_series(1, char_length(w)) AS i,
       LATERAL (VALUES (substr(w, i, 1)), (substr(w, i, 2))) AS grams(g)
$$
"""

# The trigram index needs the pg_trgm extension, the grams index its function (created by the
# migrations, and here for metadata.create_all in tests).
event.listen(
    db.metadata,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)
event.listen(db.metadata, "before_create", DDL(SEARCH_GRAMS).execute_if(dialect="postgresql"))
# PostgreSQL only, so not in the table's metadata (Alembic cannot compare expression indexes on
# SQLite); migration 0009 creates the same index.
SEARCH_GRAMS_INDEX = (
    "CREATE INDEX ix_enterprise_search_grams ON enterprise USING gin (search_grams(search_text))"
)
event.listen(
    Enterprise.__table__,
    "after_create",
    DDL(SEARCH_GRAMS_INDEX).execute_if(dialect="postgresql"),
)
