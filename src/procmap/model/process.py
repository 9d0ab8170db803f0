"""The process file format (version 1) as pydantic models.

These models are the single source of truth for the format: validation,
`procmap schema` (JSON Schema for editors) and the docs' format reference are
all derived from them, so descriptions here are user documentation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from procmap.model.durations import parse_duration

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
DURATION_PATTERN = (
    r"^(\d+(\.\d+)?\s*[smhdw]\s*)+$|^[Pp](?!$)(\d+(\.\d+)?[Ww])?(\d+(\.\d+)?[Dd])?"
    r"([Tt](?=\d)(\d+(\.\d+)?[Hh])?(\d+(\.\d+)?[Mm])?(\d+(\.\d+)?[Ss])?)?$"
)

LaneKind = Literal["customer", "onstage", "backstage", "support"]
Visibility = Literal["onstage", "backstage"]
Contact = Literal["interaction", "update", "chase"]
LANE_KINDS: tuple[str, ...] = ("customer", "onstage", "backstage", "support")
ZONE_OF_KIND = {"customer": 0, "onstage": 1, "backstage": 2, "support": 3}


def _exact_version(value: Any) -> Any:
    """``true`` and ``1.0`` equal 1 in Python, so the Literal check alone let them through.

    They come back as YAML spells them, which the Literal then refuses with the
    usual "version must be 1" message.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return value


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


# No `examples` on the shared type: each field that uses it gives its own,
# so editors never suggest a step id where a lane id or data class belongs.
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=1, max_length=200)]
Duration = Annotated[
    str,
    AfterValidator(_check_duration),
    Field(json_schema_extra={"pattern": DURATION_PATTERN}),
]


class _Strict(BaseModel):
    # strict: YAML's `name: 123` must not silently become "123"; forbid: typos
    # in keys must be errors, never ignored.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Flow(_Strict):
    """One outgoing flow of a step: where the process goes next (`to`: one step; `all`: a fork, several steps at once), and when."""

    # Both shapes (SPEC §7.1) are one model, not a union: a typo in a flow gets
    # one error message rather than one per shape it might have been.

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        json_schema_extra={"oneOf": [{"required": ["to"]}, {"required": ["all"]}]},
    )

    to: Slug | None = Field(
        default=None,
        description="Id of the step this flow leads to (give `to` or `all`, not both).",
        examples=["solve"],
    )
    all: list[Slug] | None = Field(
        default=None,
        min_length=2,
        description=(
            "A fork: two or more step ids that all start at once when this alternative is taken (parallel "
            "work). Each starts a branch; the branches meet at a step with `join: all`, or each ends at an "
            "end step. The fork is one alternative for `when` and `share`."
        ),
        examples=[["pack", "invoice"]],
    )
    when: str | None = Field(
        default=None,
        description="Branch label: the condition under which this flow is taken.",
        examples=["known issue"],
    )
    share: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description=(
            "Fraction of customers who take this flow (0 < share <= 1). When one flow of a step has a "
            "share, all its flows must, and they add up to 1 (within 0.001). Read as a probability by "
            "audit's expected journey figures."
        ),
        examples=[0.8],
    )
    planned: bool = Field(
        default=False,
        description=(
            "A loop back the customer expects (a follow-up visit, the next monthly bill): not a repeat. "
            "Only on a loop edge (a flow back to a step the process already passed)."
        ),
        examples=[True],
    )

    @model_validator(mode="before")
    @classmethod
    def _no_planned_fork(cls, value: Any) -> Any:
        # SPEC §7.1: a fork's targets are never loop edges, so "planned" (a loop
        # edge the customer expects, §5.7) cannot describe one. Checked before the
        # fields so the message says why, whether or not the key is known.
        if isinstance(value, dict) and "all" in value and "planned" in value:
            raise ValueError("`planned` cannot be on a fork item: a fork's branches are never loop edges")
        return value

    @model_validator(mode="after")
    def _to_or_all(self) -> Flow:
        if self.to is None and self.all is None:
            # Its own error type: check.py words it as the missing `to` it was before forks existed.
            raise PydanticCustomError("flow_target_missing", "a flow needs `to` or `all`")
        if self.to is not None and self.all is not None:
            raise ValueError("a flow has `to` (one step) or `all` (a fork: two or more steps), not both")
        if self.all is not None:
            twice = sorted({t for t in self.all if self.all.count(t) > 1})
            if twice:
                raise ValueError(f"the fork lists {', '.join(repr(t) for t in twice)} twice: branches share no step")
        return self

    @property
    def targets(self) -> tuple[str, ...]:
        """The step ids this alternative starts: one for a flow, every branch for a fork."""
        return tuple(self.all) if self.all is not None else (self.to,) if self.to is not None else ()

    @property
    def is_fork(self) -> bool:
        return self.all is not None


def _flow_shorthand(value: Any) -> Any:
    return {"to": value} if isinstance(value, str) else value


FlowItem = Annotated[Flow, BeforeValidator(_flow_shorthand, json_schema_input_type=Slug | Flow)]


class ProcessInfo(_Strict):
    """What the process is and where it starts."""

    id: Slug = Field(description="Identifier of the process (a slug).", examples=["support-ticket"])
    name: str = Field(description="Human name of the process.", examples=["Support ticket"])
    description: str | None = Field(
        default=None, description="Free text.", examples=["From the customer's first message to a solved ticket."]
    )
    owner: str | None = Field(default=None, description="Who owns the process.", examples=["Customer care"])
    start: Slug | None = Field(
        default=None, description="Id of the first step; default: the first step listed.", examples=["open-ticket"]
    )


class Lane(_Strict):
    """A horizontal band of the blueprint: one responsible party."""

    id: Slug = Field(description="Identifier of the lane (a slug).", examples=["agent"])
    name: str = Field(description="Human name of the lane.", examples=["Support agent"])
    kind: LaneKind = Field(
        description=(
            "customer: the customer themself; onstage: staff or channels the customer sees; "
            "backstage: staff the customer never sees; support: systems, vendors, internal support."
        ),
        examples=["onstage"],
    )
    description: str | None = Field(
        default=None, description="Free text.", examples=["First-line agents on chat and phone."]
    )


class Step(_Strict):
    """One thing someone does in the process."""

    id: Slug = Field(description="Identifier of the step, unique in the file.", examples=["triage"])
    name: str = Field(description="Human name of the step.", examples=["Triage ticket"])
    lane: Slug = Field(description="Id of the lane (party) that does the step.", examples=["agent"])
    description: str | None = Field(
        default=None, description="Free text.", examples=["Check the category and the customer's plan."]
    )
    channel: str | None = Field(
        default=None,
        description="How the customer and the organisation meet here: web, phone, email, chat, in-person, app…",
        examples=["web", "phone"],
    )
    visibility: Visibility | None = Field(
        default=None,
        description=(
            "Override the lane's default visibility (customer/onstage lanes: onstage; backstage/support: "
            "backstage). A customer step can never be backstage."
        ),
        examples=["onstage"],
    )
    contact: Contact = Field(
        default="interaction",
        description=(
            "interaction: the customer deals with this touchpoint (default); update: a one-way status message "
            "(e-mail, SMS, app notice). An update breaks a silence but does not pass the customer on: journey "
            "handoffs and parties skip it. Only on a touchpoint (an onstage step outside the customer lane). "
            "chase: a customer action that exists because the customer had to chase (call again, write again); "
            "it counts as coming back. Only on a customer action, never the start."
        ),
        examples=["update", "chase"],
    )
    owner: str | None = Field(default=None, description="The role that does the step.", examples=["Tier-1 agent"])
    backup: str | None = Field(default=None, description="Who covers when the owner is away.", examples=["Tier-1 lead"])
    duration: Duration | None = Field(
        default=None, description="How long the step takes: 30s, 15m, 2h, 3d or ISO-8601.", examples=["15m", "PT15M"]
    )
    sla: Duration | None = Field(
        default=None, description="Time promised for the step, same syntax as duration.", examples=["1h", "2d"]
    )
    sla_from: Slug | None = Field(
        default=None,
        description=(
            'With sla: the promise runs from the first visit of this facing step on the journey ("within 2 days '
            'of the first call"), not from the last facing step.'
        ),
        examples=["call"],
    )
    evidence: str | None = Field(
        default=None, description="What the customer sees or holds at this step.", examples=["Ticket e-mail"]
    )
    stage: str | None = Field(
        default=None,
        description=(
            "A short phase name (Order, Delivery, Return): consecutive steps with one stage form a band "
            "in the stages row of the blueprint."
        ),
        examples=["Delivery"],
    )
    data: list[Slug] = Field(default_factory=list, description="Data classes the step touches.", examples=[["pii"]])
    fail_point: bool = Field(default=False, description="A known risk of failure.", examples=[True])
    next: list[FlowItem] = Field(
        default_factory=list,
        description=(
            "Where the process goes next: step ids, or {to, when} for labelled branches, or {all: [a, b]} for "
            "a fork (parallel work). Empty: an end step."
        ),
        examples=[["triage"], [{"to": "solve", "when": "known issue"}], [{"all": ["pack", "invoice"]}]],
    )
    join: Literal["all"] | None = Field(
        default=None,
        description=(
            "all: this step is a join: it starts when every branch of its fork has reached it (parallel work, "
            "see `all` in next)."
        ),
        examples=["all"],
    )

    activities: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description=(
            "Names this step has in event logs (procmap conform), besides its id and name: "
            "case, surrounding spaces and runs of spaces are ignored."
        ),
        examples=[["Ticket triaged", "TRIAGE_DONE"]],
    )

    @property
    def duration_seconds(self) -> float | None:
        return parse_duration(self.duration) if self.duration else None

    @property
    def sla_seconds(self) -> float | None:
        return parse_duration(self.sla) if self.sla else None


class ProcessFile(_Strict):
    """A procmap process file (format version 1): one process, its lanes and its steps."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        title="procmap process",
        json_schema_extra={"$id": "https://procmap.dev/schema/process-v1.json"},
    )

    version: Annotated[Literal[1], BeforeValidator(_exact_version)] = Field(
        description="Format version: the integer 1.", examples=[1]
    )
    process: ProcessInfo = Field(
        description="What the process is: id, name, and optionally description, owner and start step.",
        examples=[{"id": "support-ticket", "name": "Support ticket"}],
    )
    lanes: list[Lane] = Field(
        min_length=1,
        description="Lanes, in drawing order (top to bottom within a zone).",
        examples=[[{"id": "customer", "name": "Customer", "kind": "customer"}]],
    )
    steps: list[Step] = Field(
        min_length=1,
        description="Steps; the first one is the start unless process.start says otherwise.",
        examples=[[{"id": "open-ticket", "name": "Open a ticket", "lane": "customer", "next": ["triage"]}]],
    )

    def start_id(self) -> str:
        return self.process.start or self.steps[0].id
