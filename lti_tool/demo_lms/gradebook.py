"""Resource links, line items and results: the course's gradebook."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .model import Course, LineItem, ResourceLink, Result, ScorePost, ToolRegistration, User

if TYPE_CHECKING:
    from .platform import Platform


def add_resource_link(
    platform: Platform,
    course: Course | str,
    tool: ToolRegistration | str,
    *,
    title: str = "Microbridge project",
    text: str = "",
    url: str | None = None,
    custom: dict[str, str] | None = None,
    score_maximum: float | None = None,
    resource_id: str | None = None,
    tag: str | None = None,
    due_at: datetime | None = None,
    published: bool = True,
) -> ResourceLink:
    """Place a tool link; with score_maximum it is graded (gets a line item)."""
    with platform.lock:
        the_course, the_tool = platform.get_course(course), platform.get_tool(tool)
        link = ResourceLink(
            id=_new_link_id(platform),
            course_id=the_course.id,
            client_id=the_tool.client_id,
            title=title,
            text=text,
            url=url,
            custom=dict(custom or {}),
            published=published,
        )
        platform.state.links[link.id] = link
        if score_maximum is not None:
            item = add_line_item(
                platform,
                the_course,
                the_tool,
                label=title,
                score_maximum=score_maximum,
                resource_link=link,
                resource_id=resource_id,
                tag=tag,
                end_at=due_at,
            )
            link.line_item_id = item.id
        return link


def default_link(platform: Platform, course: Course, tool: ToolRegistration) -> ResourceLink:
    """The tool's first link in the course, created (ungraded) if there is none."""
    with platform.lock:
        for link in platform.state.links.values():
            if link.course_id == course.id and link.client_id == tool.client_id:
                return link
        return add_resource_link(platform, course, tool, title=tool.name)


def add_line_item(
    platform: Platform,
    course: Course | str,
    tool: ToolRegistration | str,
    *,
    label: str,
    score_maximum: float,
    resource_link: ResourceLink | str | None = None,
    resource_id: str | None = None,
    tag: str | None = None,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    extensions: dict[str, Any] | None = None,
) -> LineItem:
    """Create a gradebook column owned by the tool."""
    with platform.lock:
        link = platform.get_link(resource_link) if resource_link is not None else None
        item = LineItem(
            id=str(platform.state.next_id("line_item")),
            course_id=platform.get_course(course).id,
            client_id=platform.get_tool(tool).client_id,
            label=label,
            score_maximum=float(score_maximum),
            resource_link_id=link.id if link else None,
            resource_id=resource_id,
            tag=tag,
            start_at=start_at,
            end_at=end_at,
            placeholder=link is None,
            extensions=dict(extensions or {}),
        )
        platform.state.line_items[item.id] = item
        if link is not None and link.line_item_id is None:
            link.line_item_id = item.id
        return item


def copy_resource_link(platform: Platform, link: ResourceLink, course: Course) -> ResourceLink:
    """Copy a link into another course with a new id, keeping the id history."""
    with platform.lock:
        copy = replace(
            link,
            id=_new_link_id(platform),
            course_id=course.id,
            custom=dict(link.custom),
            line_item_id=None,
            history=[link.id, *link.history],
        )
        platform.state.links[copy.id] = copy
        if link.line_item_id is not None:
            old = platform.state.line_items[link.line_item_id]
            item = replace(
                old,
                id=str(platform.state.next_id("line_item")),
                course_id=course.id,
                resource_link_id=copy.id,
            )
            platform.state.line_items[item.id] = item
            copy.line_item_id = item.id
        return copy


def get_result(platform: Platform, item: LineItem | str, user: User | str) -> Result | None:
    """The stored result of a user on a line item, if any."""
    with platform.lock:
        key = platform.state.result_key(platform.get_line_item(item).id, platform.get_user(user).user_id)
        return platform.state.results.get(key)


def score_posts(
    platform: Platform,
    item: LineItem | str,
    user: User | str | None = None,
    *,
    accepted_only: bool = True,
) -> list[ScorePost]:
    """Score POSTs received for a line item (accepted ones unless accepted_only=False)."""
    with platform.lock:
        item_id = platform.get_line_item(item).id
        user_id = platform.get_user(user).user_id if user is not None else None
        return [
            post
            for post in platform.state.score_log
            if post.line_item_id == item_id
            and (user_id is None or post.user_id == user_id)
            and (post.status < 300 or not accepted_only)
        ]


def course_line_items(platform: Platform, course: Course | str) -> list[LineItem]:
    """All line items of a course, oldest first."""
    with platform.lock:
        course_id = platform.get_course(course).id
        return [item for item in platform.state.line_items.values() if item.course_id == course_id]


def _new_link_id(platform: Platform) -> str:
    # Canvas 1.3 resource link ids are UUIDs; Moodle's are the activity instance id.
    if platform.is_canvas:
        return str(uuid.uuid4())
    return str(platform.state.next_id("lti_instance"))


def set_due_date(platform: Platform, link: ResourceLink | str, due_at: datetime | None) -> None:
    """Move a graded link's due date, as an instructor does in the LMS."""
    with platform.lock:
        item_id = platform.get_link(link).line_item_id
        if item_id is None:
            raise ValueError("link has no line item")
        platform.state.line_items[item_id].end_at = due_at
