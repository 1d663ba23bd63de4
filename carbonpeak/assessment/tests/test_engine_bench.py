"""The bench's per-unit loop does the same arithmetic as the engine (the bench refuses to report otherwise)."""

from carbonpeak.assessment import bench


def test_bench_loop_matches_the_engine_and_reports_a_ratio():
    figures = bench.figures(quick=True)
    assert figures["assessment_allocate_score_vs_loop_speedup"] > 0
