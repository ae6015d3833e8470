"""Joint and segment angles in Plug-in Gait's conventions."""

from kinchain.kinematics.angles import cardan_yxz, joint_angles

__all__ = ["cardan_yxz", "joint_angles"]
