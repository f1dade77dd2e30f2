"""GET /api/models: the bundled model and every finished training run."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import ModelDep, RunsDep
from app.runs import service
from app.schemas.runs import ModelList
from engine.spec import summary

router = APIRouter(prefix="/api/models", tags=["model"])


@router.get("", response_model=ModelList, summary="The models you can use: bundled and trained")
def list_models(bundled: ModelDep, store: RunsDep) -> dict:
    """The bundled model first, then every run that is done or stopped (newest first). Give an
    entry's `id` as `model` (and one of its `checkpoints` as `checkpoint`) to the model
    endpoints: query parameters on GET /api/model..., JSON fields of predict, explain and
    saliency."""
    first = {
        "id": service.BUNDLED,
        "name": "bundled",
        "kind": "bundled",
        "status": "ready",
        "summary": summary(bundled.model),
        "parameter_count": bundled.model.parameter_count(),
        "test_accuracy": bundled.metadata.get("test_accuracy"),
        "checkpoints": [],
    }
    return {"models": [first, *service.models(store)]}
