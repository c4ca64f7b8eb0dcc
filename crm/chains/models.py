"""Chain, ChainNode (a tree), links to enterprises, targets and projects, roadmap milestones."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.timeutil import utcnow
from crm.extensions import db

if TYPE_CHECKING:
    from crm.enterprises.models import Enterprise
    from crm.zones.models import Zone

SEGMENTS = {"upstream": "上游", "midstream": "中游", "downstream": "下游", "support": "配套"}
STRATEGIES = {"strengthen": "强链", "fill": "补链", "extend": "延链"}
STATUSES = {"strong": "强", "normal": "一般", "weak": "弱", "missing": "缺", "risk": "风险"}
ENTERPRISE_ROLES = {"local": "本地企业", "target": "目标企业", "leader": "链主"}
MILESTONE_STATUSES = {
    "planned": "计划",
    "in_progress": "推进中",
    "done": "已完成",
    "delayed": "滞后",
}


class Chain(db.Model):
    """An industry chain of the city's lead industries."""

    __tablename__ = "chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    lead_industry: Mapped[str] = mapped_column(String(100), default="")
    chain_leader: Mapped[str] = mapped_column(String(100), default="")  # 链长
    description: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    nodes: Mapped[list[ChainNode]] = relationship(
        back_populates="chain",
        order_by="(ChainNode.sort_order, ChainNode.id)",
        cascade="all, delete-orphan",
    )
    zones: Mapped[list[Zone]] = relationship(secondary="chain_zone", order_by="Zone.sort_order")


class ChainZone(db.Model):
    """A zone the chain is positioned in."""

    __tablename__ = "chain_zone"

    chain_id: Mapped[int] = mapped_column(
        ForeignKey("chain.id", ondelete="CASCADE"), primary_key=True
    )
    zone_id: Mapped[int] = mapped_column(
        ForeignKey("zone.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ChainNode(db.Model):
    """A link (环节) of a chain; nodes form a tree within one chain."""

    __tablename__ = "chain_node"

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("chain.id", ondelete="CASCADE"), index=True)
    # the service refuses to delete a node with children; SET NULL keeps table drops simple
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("chain_node.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    segment: Mapped[str] = mapped_column(String(20))
    strategy: Mapped[str] = mapped_column(String(20), default="")
    key_products: Mapped[str] = mapped_column(String(500), default="")
    status_override: Mapped[str | None] = mapped_column(String(20))
    override_reason: Mapped[str] = mapped_column(String(500), default="")
    priority: Mapped[int] = mapped_column(default=3)  # 1 (highest) … 5
    sort_order: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")

    chain: Mapped[Chain] = relationship(back_populates="nodes")
    parent: Mapped[ChainNode | None] = relationship(remote_side="ChainNode.id")

    __table_args__ = (UniqueConstraint("chain_id", "name", name="uq_chain_node_name"),)


class NodeEnterprise(db.Model):
    """An enterprise on a node: a local enterprise, a target enterprise, or a 链主."""

    __tablename__ = "node_enterprise"

    node_id: Mapped[int] = mapped_column(
        ForeignKey("chain_node.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="local")

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")


class NodeTarget(db.Model):
    """A target of the list courted for a node."""

    __tablename__ = "node_target"

    node_id: Mapped[int] = mapped_column(
        ForeignKey("chain_node.id", ondelete="CASCADE"), primary_key=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("target.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class NodeProject(db.Model):
    """A project filling a node."""

    __tablename__ = "node_project"

    node_id: Mapped[int] = mapped_column(
        ForeignKey("chain_node.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RoadmapMilestone(db.Model):
    """A quarterly milestone of the roadmap for a gap node."""

    __tablename__ = "roadmap_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(
        ForeignKey("chain_node.id", ondelete="CASCADE"), index=True
    )
    quarter: Mapped[str] = mapped_column(String(7))  # 2026Q3
    title: Mapped[str] = mapped_column(String(200))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="planned")
    note: Mapped[str] = mapped_column(String(500), default="")
