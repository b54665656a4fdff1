"""The public-investment data sets (issue 16): a register of projects over a set's units, their
capital plans, and the State Treasury's monthly disbursement by source over ten years.

Like ``datasets.py``, everything is a pure function of the set's seed (every random number a hash
of what it is for), so two runs write byte-identical files. The units are those of the figures'
sets (the national set's country, 34 provinces and 3,321 communes), with investors added: a few
agencies (*ban quản lý dự án*) under each province; a fifth of the projects are invested in by
their commune.

Files: ``catalogue.json`` (the units, in the ``dieuhanh load-metadata`` format), ``register.csv``
(one project a line, in the register template of ``projects.imports``), ``plans.csv`` (the capital assigned at
the start of each year, by source) and ``disbursement.csv`` — the file measured, in the Treasury
template of ``projects.imports`` (``project,plan_year,source,period,amount``).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.datasets import WRITE_BUFFER, DataSetSpec, Unit, _build_units, _uniform

FIRST_YEAR = 2015
YEARS = 10  # plans of 2015 … 2024, disbursed until January 2025
# The question's year and date: the 2024 plan as at 30 September 2024 (the second milestone).
QUERY_YEAR = 2024
QUERY_ON = "2024-09-30"

SOURCES = ("provincial", "central", "land_use", "oda", "lottery", "commune", "other")
SOURCE_WEIGHTS = (0.34, 0.24, 0.16, 0.08, 0.06, 0.08, 0.04)
SECTORS = (
    "transport",
    "health",
    "education",
    "irrigation",
    "urban",
    "environment",
    "culture",
    "digital",
    "security",
    "government",
    "other",
)
GROUPS = (("national", 0.005), ("A", 0.045), ("B", 0.3), ("C", 0.65))

# Stream tags (apart from datasets.py's, which end at 6).
_PROVINCE, _COMMUNE, _INVESTOR, _KIND, _SIZE, _SOURCES, _START, _LENGTH, _PACE, _MONTH, _PLACE, _SECOND = range(20, 32)


@dataclass(frozen=True)
class ProjectsSpec:
    """How big a public-investment set is, over which units."""

    name: str
    seed: int
    units: DataSetSpec
    projects: int
    agencies_per_province: int


PROJECT_SPECS: dict[str, ProjectsSpec] = {
    # For CI: a second or two. Two provinces, six communes.
    "projects-tiny": ProjectsSpec(
        name="projects-tiny",
        seed=16,
        units=DataSetSpec(
            name="projects-tiny",
            seed=16,
            top_code="VN",
            top_name="Cả nước (thử nghiệm nhỏ)",
            top_kind="other",
            middle_kind="province",
            middles=2,
            communes=6,
            indicators=0,
            sqlite=False,
            ranking_depth=2,
        ),
        projects=60,
        agencies_per_province=3,
    ),
    # Issue 16: a national register of 50,000 projects, about six million disbursement rows.
    "projects": ProjectsSpec(
        name="projects",
        seed=1616,
        units=DataSetSpec(
            name="projects",
            seed=2025,
            top_code="VN",
            top_name="Cả nước (thử nghiệm)",
            top_kind="other",
            middle_kind="province",
            middles=34,
            communes=3321,
            indicators=0,
            sqlite=False,
            ranking_depth=2,
        ),
        projects=50_000,
        agencies_per_province=30,
    ),
}


@dataclass(frozen=True)
class ProjectDef:
    index: int
    code: str
    province: str
    communes: tuple[str, ...]
    investor: str
    group: str
    sector: str
    total: float
    sources: tuple[str, ...]
    first_year: int
    last_year: int
    pace: float  # the share of each year's plan disbursed by 31 January of the next year
    lon: float
    lat: float


def _pick(u: float, weights: tuple[float, ...]) -> int:
    total = 0.0
    for n, w in enumerate(weights):
        total += w
        if u < total:
            return n
    return len(weights) - 1


class ProjectsSet:
    """A generated public-investment set: units, investors, projects, plans and disbursement."""

    def __init__(self, spec: ProjectsSpec) -> None:
        self.spec = spec
        self.units: list[Unit] = _build_units(spec.units)
        self.provinces = [u for u in self.units if u.depth == 1]
        self.communes_of: dict[str, list[Unit]] = {}
        for unit in self.units:
            if unit.depth == 2:
                self.communes_of.setdefault(unit.middle or "", []).append(unit)
        self.agencies = {
            p.code: [f"{p.code}BQL{n + 1:02d}" for n in range(spec.agencies_per_province)] for p in self.provinces
        }
        # Provinces draw projects by their number of communes.
        sizes = [len(self.communes_of[p.code]) for p in self.provinces]
        self._province_weights = tuple(s / sum(sizes) for s in sizes)

    def catalogue(self) -> dict[str, Any]:
        org_units: list[dict[str, Any]] = []
        for unit in self.units:
            entry: dict[str, Any] = {"code": unit.code, "name": unit.name, "kind": unit.kind, "sort_order": unit.index}
            if unit.parent is not None:
                entry["parent"] = unit.parent
            org_units.append(entry)
        order = len(self.units)
        for province in self.provinces:
            for n, code in enumerate(self.agencies[province.code]):
                org_units.append(
                    {
                        "code": code,
                        "name": f"Ban Quản lý dự án {n + 1} — {province.name}",
                        "kind": "agency",
                        "parent": province.code,
                        "sort_order": order,
                    }
                )
                order += 1
        return {"org_units": org_units}

    def project(self, index: int) -> ProjectDef:
        seed = self.spec.seed

        def u(tag: int, *more: int) -> float:
            return _uniform(seed, tag, index, *more)

        province = self.provinces[_pick(u(_PROVINCE), self._province_weights)]
        communes = self.communes_of[province.code]
        first = communes[int(u(_COMMUNE) * len(communes))]
        located = [first.code]
        if u(_SECOND) < 0.15 and len(communes) > 1:
            second = communes[int(u(_SECOND, 1) * len(communes))]
            if second.code != first.code:
                located.append(second.code)
        agencies = self.agencies[province.code]
        investor = first.code if u(_INVESTOR) < 0.2 else agencies[int(u(_INVESTOR, 1) * len(agencies))]
        group = GROUPS[_pick(u(_KIND), tuple(w for _g, w in GROUPS))][0]
        scale = {"national": 3.0, "A": 2.0, "B": 1.0, "C": 0.0}[group]
        # Million đồng: about 5 billion for a small commune project, thousands of billions for the largest.
        total = round(5_000 * 10 ** (scale + u(_SIZE)), 0)
        count = 1 + int(u(_SOURCES) * 3.6)
        sources: list[str] = []
        for k in range(count * 3):
            source = SOURCES[_pick(u(_SOURCES, k + 1), SOURCE_WEIGHTS)]
            if source not in sources:
                sources.append(source)
            if len(sources) == count:
                break
        first_year = FIRST_YEAR - 2 + int(u(_START) * (YEARS + 2))
        length = 4 + int(u(_LENGTH) * 5)  # 4 … 8 years
        last_year = min(FIRST_YEAR + YEARS - 1, first_year + length - 1)
        first_year = max(first_year, FIRST_YEAR)
        lon = 102.2 + 7.0 * _uniform(seed, _PLACE, province.index) + 0.4 * u(_PLACE)
        lat = 8.6 + 14.6 * _uniform(seed, _PLACE, province.index, 1) + 0.4 * u(_PLACE, 1)
        return ProjectDef(
            index=index,
            code=f"DA{index + 1:07d}",
            province=province.code,
            communes=tuple(located),
            investor=investor,
            group=group,
            sector=SECTORS[int(u(_KIND, 1) * len(SECTORS))],
            total=total,
            sources=tuple(sources),
            first_year=first_year,
            last_year=last_year,
            pace=0.35 + 0.65 * u(_PACE),
            lon=round(lon, 5),
            lat=round(lat, 5),
        )

    def projects(self) -> list[ProjectDef]:
        return [self.project(n) for n in range(self.spec.projects)]

    def plan(self, project: ProjectDef, year: int, source: int) -> float:
        """The capital assigned to a project for a year and source (million đồng)."""
        years = project.last_year - project.first_year + 1
        share = project.total / years / len(project.sources)
        return round(share * (0.6 + 0.8 * _uniform(self.spec.seed, _SIZE, project.index, year, source)), 0)

    def months(self, project: ProjectDef, year: int, source: int) -> list[tuple[str, float]]:
        """The Treasury's monthly disbursement of that plan: an S-curve towards the project's pace,
        most of it late in the year, some months without any; January of the next year closes it."""
        plan = self.plan(project, year, source)
        target = plan * project.pace
        out: list[tuple[str, float]] = []
        before = 0.0
        for m in range(1, 14):
            reach = (m / 13) ** 1.6
            amount = round(target * reach - before, 2)
            u = _uniform(self.spec.seed, _MONTH, project.index, year * 16 + m, source)
            if amount > 0 and u > 0.08:
                period = f"{year}{m:02d}" if m <= 12 else f"{year + 1}01"
                out.append((period, amount))
                before += amount
        return out


@dataclass(frozen=True)
class ProjectFiles:
    directory: Path

    @property
    def catalogue(self) -> Path:
        return self.directory / "catalogue.json"

    @property
    def register(self) -> Path:
        return self.directory / "register.csv"

    @property
    def plans(self) -> Path:
        return self.directory / "plans.csv"

    @property
    def disbursement(self) -> Path:
        return self.directory / "disbursement.csv"

    @property
    def manifest(self) -> Path:
        return self.directory / "manifest.json"


def _amount(x: float) -> str:
    # Two decimals at most: "2.500" (three) reads two ways and the import refuses it, as it should.
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def generate_projects(spec: ProjectsSpec, directory: Path) -> dict[str, Any]:
    """Write the set's files; return its manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    files = ProjectFiles(directory)
    data = ProjectsSet(spec)
    files.catalogue.write_text(json.dumps(data.catalogue(), ensure_ascii=False, indent=1), encoding="utf-8")
    projects = data.projects()
    rows = plans = 0
    by_province: dict[str, int] = {}
    with (
        files.register.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as register,
        files.plans.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as plan_file,
        files.disbursement.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as out,
    ):
        register_writer, plan_writer = csv.writer(register), csv.writer(plan_file)
        register_writer.writerow(
            [
                "code",
                "name",
                "investor",
                "group",
                "sector",
                "stage",
                "total_investment",
                "sources",
                "communes",
                "start",
                "planned_completion",
                "longitude",
                "latitude",
            ]
        )
        plan_writer.writerow(["project", "year", "source", "amount", "effective_on"])
        out.write("project,plan_year,source,period,amount\n")
        for project in projects:
            by_province[project.province] = by_province.get(project.province, 0) + 1
            finished = project.last_year < QUERY_YEAR
            register_writer.writerow(
                [
                    project.code,
                    f"Dự án thử nghiệm {project.index + 1} ({project.sector})",
                    project.investor,
                    project.group,
                    project.sector,
                    "completed" if finished else "implementation",
                    _amount(project.total),
                    ";".join(project.sources),
                    ";".join(project.communes),
                    f"{project.first_year}-01-15",
                    f"{project.last_year}-12-31",
                    project.lon,
                    project.lat,
                ]
            )
            lines = []
            for year in range(project.first_year, project.last_year + 1):
                for s, source in enumerate(project.sources):
                    plan_writer.writerow(
                        [project.code, year, source, _amount(data.plan(project, year, s)), f"{year}-01-01"]
                    )
                    plans += 1
                    for period, amount in data.months(project, year, s):
                        lines.append(f"{project.code},{year},{source},{period},{_amount(amount)}\n")
            out.write("".join(lines))
            rows += len(lines)
    province = max(sorted(by_province), key=lambda code: by_province[code])
    manifest = {
        "set": spec.name,
        "seed": spec.seed,
        "projects": len(projects),
        "provinces": len(data.provinces),
        "communes": sum(len(c) for c in data.communes_of.values()),
        "agencies": sum(len(a) for a in data.agencies.values()),
        "plans": plans,
        "values": rows,
        "values_bytes": files.disbursement.stat().st_size,
        "years": f"{FIRST_YEAR}..{FIRST_YEAR + YEARS - 1}",
        "year": QUERY_YEAR,
        "on": QUERY_ON,
        # The province the province-wide questions ask about: the one of the most projects.
        "province": province,
        "province_projects": by_province[province],
        "top": spec.units.top_code,
    }
    files.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def sizes(spec: ProjectsSpec) -> dict[str, float]:
    """Rough expected sizes without writing anything (the README's table)."""
    data = ProjectsSet(spec)
    sample = [data.project(n) for n in range(min(spec.projects, 2000))]
    per = sum((p.last_year - p.first_year + 1) * len(p.sources) * 12 for p in sample) / len(sample)
    return {
        "rows": per * spec.projects,
        "per_project": per,
        "mean_sources": math.fsum(len(p.sources) for p in sample) / len(sample),
    }
