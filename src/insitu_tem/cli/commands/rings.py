"""``insitu-tem rings --phase NAME --grain-size NM``: simulated ring profile of a nanocrystal."""

from __future__ import annotations

import argparse

import numpy as np

from insitu_tem.analysis.crystal.phases import get_phase, load_cif
from insitu_tem.analysis.crystal.debye import simulate_ring_profile
from insitu_tem.cli.commands.common import Progress, check_phase, check_range

NAME = "rings"
HELP = "simulate the electron-diffraction ring profile of a spherical grain (Debye equation)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--phase",
        required=True,
        metavar="NAME",
        help="library phase (see `insitu-tem phases`) or a CIF file",
    )
    parser.add_argument(
        "--grain-size",
        type=float,
        required=True,
        metavar="NM",
        help="grain diameter in nm (0.3 for unit-cell clusters, 3 for nanocrystals)",
    )
    parser.add_argument(
        "--energy", type=float, default=300.0, metavar="KV", help="beam energy in kV"
    )
    parser.add_argument(
        "--q-max", type=float, default=1.5, metavar="PER_A", help="largest q = 1/d in 1/Å"
    )
    parser.add_argument("--points", type=int, default=741, metavar="N", help="number of q samples")


def run(args: argparse.Namespace, progress: Progress) -> dict:
    check_range("--points", args.points, low=10, high=100_000, example="741")
    check_range("--q-max", args.q_max, low=0.06, high=5.0, example="1.5")
    check_range("--grain-size", args.grain_size, low=0.1, high=20.0, example="3")
    check_range("--energy", args.energy, low=1.0, high=3000.0, example="300")
    phase = (
        load_cif(args.phase) if str(args.phase).lower().endswith(".cif") else get_phase(args.phase)
    )
    check_phase(phase, args.phase)
    progress(0.1, f"Debye sum for {phase.name}")
    profile = simulate_ring_profile(
        phase,
        grain_diameter_nm=args.grain_size,
        q_per_A=np.linspace(0.02, args.q_max, args.points),
        energy_kV=args.energy,
    )
    progress(1.0, "done")
    return {
        "phase": profile.phase,
        "grain_size_nm": profile.grain_diameter_nm,
        "n_atoms": profile.n_atoms,
        "energy_kV": profile.energy_kV,
        "q_per_A": profile.q_per_A,
        "intensity": profile.intensity,
        "peaks": [
            {"d_A": p.d_A, "hkl": list(p.hkl) if p.hkl else None, "fwhm_per_A": p.fwhm_per_A}
            for p in profile.peaks
        ],
    }
