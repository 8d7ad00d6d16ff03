from insights.imports import kpis_import
from insights.management.csv_import import CsvImportCommand


class Command(CsvImportCommand):
    help = "KPI measurements from a CSV: role,kpi,value,measured_on[,is_baseline,note] (docs/metrics.md)."
    importer = staticmethod(kpis_import)
