from insights.imports import costs_import
from insights.management.csv_import import CsvImportCommand


class Command(CsvImportCommand):
    help = "Costs from a CSV: kind,amount,currency,period_start,period_end,note (docs/metrics.md)."
    importer = staticmethod(costs_import)
