"""/api/runs: train a network of your own, follow it live, use its checkpoints."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.deps import JsonBody, RunsDep, SettingsDep, SupervisorDep
from app.errors import error_responses
from app.runs import service
from app.runs.store import END_TYPES, RunStore
from app.schemas.runs import (
    CheckpointList,
    Preview,
    Run,
    RunList,
    RunRequest,
    SpecErrorResponse,
)
from engine.serialize import json_path_for

router = APIRouter(prefix="/api/runs", tags=["runs"])
RunId = Annotated[
    str,
    PathParam(
        description="A run id (16 hex digits) from POST /api/runs or GET /api/runs.",
        examples=["3f9c2a61b0d4e785"],
    ),
]
SPEC_ERROR = {422: {"model": SpecErrorResponse, "description": "A network that cannot be built."}}
POLL = 0.1  # seconds between reads of the event log while a stream waits
KEEP_ALIVE = 15.0  # seconds of silence before a comment line keeps proxies from closing
CheckpointQuery = Annotated[
    int | None,
    Query(
        ge=0,
        description="A checkpoint step (GET /api/runs/{id}/checkpoints); default: the final model.",
        examples=[0],
    ),
]


@router.post(
    "",
    status_code=202,
    dependencies=[JsonBody],
    response_model=Run,
    responses={**error_responses(400, 413, 415, 429, 503), **SPEC_ERROR},
    summary="Start training a network (queued until a slot is free)",
)
def create_run(
    body: RunRequest, store: RunsDep, settings: SettingsDep, supervisor: SupervisorDep
) -> dict:
    """The network is checked first (a 422 names the layer and what to change; nothing is
    started). The run trains in its own process when one of the training slots is free
    (`CONVLENS_RUNS_SLOTS`, shared by all workers), else it waits as `queued` with its
    `queue_position`; when `CONVLENS_RUNS_QUEUE` runs wait already, 429 with `Retry-After`.
    503 when the MNIST files are not in the data folder. Follow it with GET .../events."""
    run_id = service.create_run(store, settings, body, supervisor.slots)
    supervisor.tick()  # start it now if a slot is free, rather than at the next watch
    return service.run_out(store.get(run_id))


@router.post(
    "/validate",
    dependencies=[JsonBody],
    response_model=Preview,
    responses={**error_responses(400, 413, 415), **SPEC_ERROR},
    summary="Check a network: shapes, formulas, parameters, estimated time",
)
def validate(body: RunRequest, store: RunsDep) -> dict:
    """Nothing is trained. Each layer's output shape with the arithmetic that gives it (the
    same text as the playground), parameter counts, multiply-adds per image and an estimated
    training time for `training` (from this server's latest finished run). An impossible
    network is the same 422 as POST /api/runs would give."""
    model = service.check_architecture(body)
    training = body.training.model_dump()
    return {
        "layers": model.describe_layers(),
        "parameter_count": model.parameter_count(),
        "multiply_adds": service.multiply_adds(model),
        "estimated_seconds": service.estimate_seconds(store, model, training),
    }


@router.get("", response_model=RunList, summary="Every run, newest first")
def list_runs(store: RunsDep) -> dict:
    """Queued, training and finished runs with their status and latest figures."""
    return {"runs": [service.run_out(r) for r in store.list()] if store.exists() else []}


@router.get("/{run_id}", response_model=Run, responses=error_responses(404), summary="One run")
def get_run(run_id: RunId, store: RunsDep) -> dict:
    """Status (queued with its position, running, paused, done, stopped, failed with its
    `error`), the latest progress and checkpoint figures, and the test accuracy once done."""
    return service.run_out(service.get_run(store, run_id))


def _control(action: str):
    def act(run_id: RunId, store: RunsDep) -> dict:
        return service.run_out(service.control(store, run_id, action))

    act.__name__ = f"{action}_run"
    return act


for _action, _text in (
    ("pause", "Pause a training run (it keeps its slot); 409 unless it is running"),
    ("resume", "Resume a paused run; 409 unless it is paused"),
    ("stop", "Stop a run: it saves a last checkpoint and its final model, status `stopped`"),
):
    router.add_api_route(
        f"/{{run_id}}/{_action}",
        _control(_action),
        methods=["POST"],
        response_model=Run,
        responses=error_responses(404, 409),
        summary=_text,
        description=_text + ". The trainer acts on it within ~0.1 s; the answer is the run as it "
        "is then (`control` shows a request not yet acted on).",
    )


@router.delete(
    "/{run_id}",
    status_code=204,
    responses=error_responses(404, 409),
    summary="Delete a finished run and its files",
)
def delete_run(run_id: RunId, store: RunsDep) -> Response:
    """409 while it is queued, running or paused: stop it first."""
    service.delete_run(store, run_id)
    return Response(status_code=204)


async def event_stream(store: RunStore, run_id: str, after: int) -> AsyncIterator[str]:
    """The run's events after `after` as SSE, following the event log until the end event."""
    yield "retry: 1000\n\n"
    last, quiet = after, 0.0
    while True:
        rows = await run_in_threadpool(store.events, run_id, last)
        for seq, data in rows:
            yield f"id: {seq}\ndata: {data}\n\n"
            last = seq
            if data.startswith(END_TYPES):
                return
        if rows:
            quiet = 0.0
            continue
        await asyncio.sleep(POLL)
        quiet += POLL
        if quiet >= KEEP_ALIVE:
            quiet = 0.0
            if not await run_in_threadpool(store.has_run, run_id):  # deleted meanwhile
                return
            yield ": keep-alive\n\n"


@router.get(
    "/{run_id}/events",
    responses={
        **error_responses(404),
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "Server-Sent Events, one JSON object per `data:` line.",
        },
    },
    response_class=StreamingResponse,
    summary="Follow a run live (Server-Sent Events)",
)
async def events(
    run_id: RunId,
    store: RunsDep,
    last_event_id: Annotated[
        str | None,
        Header(
            description="The `id:` of the last event received: the stream resumes after it.",
            examples=["12"],
        ),
    ] = None,
) -> StreamingResponse:
    """Each event: `id:` its sequence number in the run, `data:` one JSON object with `type`
    (`progress` several times a second, `checkpoint` at step 0, 1, 2, 4, ... in the first epoch
    and every epoch end, then one of `done`, `stopped`, `failed`), `status`, `step`,
    `total_steps`, `epoch`, `images_seen`, `loss`, `accuracy` (smoothed training figures),
    `learning_rate`, `elapsed`, `images_per_second`. `checkpoint` events add
    `validation_loss`, `validation_accuracy`, `epoch_end`, `kernels` (every conv layer's
    weights, F x C x kh x kw, by layer name), `probes` (`predictions` and `probabilities` of
    the probe digits listed in the run's `probes`) and, at epoch ends, `confusion_matrix` of
    the validation digits. `done` and `stopped` add `test_accuracy`; `failed` has `error`.
    Reconnecting with `Last-Event-ID` resumes after that event, without gaps; after the end a
    client gets the whole history, then the end event, and the stream closes. Any worker
    serves any run: the stream follows the event log in the runs database."""
    await run_in_threadpool(service.get_run, store, run_id)
    after = int(last_event_id) if last_event_id and last_event_id.strip().isdigit() else 0
    return StreamingResponse(
        event_stream(store, run_id, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get(
    "/{run_id}/checkpoints",
    response_model=CheckpointList,
    responses=error_responses(404),
    summary="A run's checkpoints",
)
def checkpoints(run_id: RunId, store: RunsDep) -> dict:
    """Step, images seen, smoothed training loss and accuracy, validation loss and accuracy
    of each saved checkpoint; any of its steps can be given as `checkpoint` to the model
    endpoints with `model=<run id>`."""
    service.get_run(store, run_id)
    return {"run": run_id, "checkpoints": store.checkpoints(run_id)}


@router.get(
    "/{run_id}/weights",
    response_class=FileResponse,
    responses={
        **error_responses(404),
        200: {"content": {"application/octet-stream": {}}, "description": "The .npz file."},
    },
    summary="Download a run's weights (.npz)",
)
def weights(run_id: RunId, store: RunsDep, checkpoint: CheckpointQuery = None) -> FileResponse:
    """The final model's weights (or a checkpoint's), in the format `CONVLENS_WEIGHTS` and
    `convlens evaluate --weights` read; save GET .../architecture beside it with the same
    name and the .json extension."""
    path = service.weights_file(store, run_id, checkpoint)
    name = f"convlens-{run_id}" + (f"-step{checkpoint}" if checkpoint is not None else "")
    return FileResponse(path, media_type="application/octet-stream", filename=f"{name}.npz")


@router.get(
    "/{run_id}/architecture",
    response_class=FileResponse,
    responses={
        **error_responses(404),
        200: {"content": {"application/json": {}}, "description": "The model description."},
    },
    summary="Download a run's architecture and metadata (.json beside the .npz)",
)
def architecture(run_id: RunId, store: RunsDep, checkpoint: CheckpointQuery = None) -> FileResponse:
    """The JSON document saved beside the weights: format, architecture (as GET /api/model
    describes layers) and metadata (test accuracy, curves, training settings)."""
    path = json_path_for(service.weights_file(store, run_id, checkpoint))
    name = f"convlens-{run_id}" + (f"-step{checkpoint}" if checkpoint is not None else "")
    return FileResponse(path, media_type="application/json", filename=f"{name}.json")
