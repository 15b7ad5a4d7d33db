"""End-to-end fixtures: one copy of the project, built once per session and shared by the e2e tests."""

from __future__ import annotations

import pytest

from .project_copy import BuildRun, Project, copy_project


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, BuildRun]:
    """One copy of the project with one successful build, shared by the e2e tests (a build takes ~1 min)."""
    project = Project(copy_project(tmp_path_factory.mktemp("e2e") / "project"))
    run = project.run("build")
    if run.returncode != 0:
        pytest.fail(f"the reference build failed:\n{run!r}", pytrace=False)
    return project, run
