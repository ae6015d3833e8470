"""The Conventional Gait Model 1 / Plug-in Gait lower body: joint centres and segment frames."""

from kinchain.model.cgm1 import LowerBody, Segment, build_model

__all__ = ["LowerBody", "Segment", "build_model"]
