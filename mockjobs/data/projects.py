"""Projects: a name for each project id, the same every time."""

from __future__ import annotations

from faker import Faker


def project_name(project_id: str) -> str:
    """A realistic project name, drawn from the id (the same in every process)."""
    fake = Faker()
    fake.seed_instance(f"project-{project_id}")
    return f"{fake.company()} {fake.random_element(('R&D', 'Research', 'Pilot', 'QML', 'Optimisation'))}"
