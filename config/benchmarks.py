"""The reports' benchmarks and thresholds (docs/metrics.md): the seeds' values.

Fractions are shares (0.40 = 40%); ranges are (low, high). settings.METRICS is this dict;
an organisation overrides a value in its settings, not here.
"""

METRICS = {
    "fvm_rate_minimum": 0.40,  # day-7 FVM completion: minimum acceptable
    "fvm_rate_top_quartile": 0.65,
    "too_few_below": 10,  # a rate over fewer people is "too few to judge"
    "active_90_median": (0.20, 0.35),  # 90-day active use: the median range
    "active_90_top_quartile": (0.65, 0.75),
    "active_window_days": 28,  # "active at day N" = used the tool in the 28 days up to day N
    "training_hours": (8, 12),  # per person
    "change_management_ratio": (0.40, 0.60),  # (training + support + adoption time) / license
    "step_minutes_default": {
        "watch_demo": 10,
        "try_prompt": 10,
        "fvm_task": 30,
        "reflect": 5,
        "read": 5,
    },
    "power_user_session_minutes": 15,
    "manager_nudge_minutes": 15,
    "readiness_workflows_needed": 3,
    "readiness_kpi_improvement": 0.10,  # a KPI improved by at least 10% in its direction
    "readiness_training_share": 0.50,  # workflow training completion / licensed seats
    "readiness_questions_needed": 3,
}
