import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from insights.filters import ReportInputError, report_filters_build
from insights.readiness import readiness_report


class Command(BaseCommand):
    help = "Expansion readiness: the five questions, each pass/fail with its evidence."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="DATE or ISO 8601 date-time.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        try:
            filters = report_filters_build(as_of=options["as_of"])
        except ReportInputError as exc:
            raise CommandError(str(exc)) from exc
        report = readiness_report(filters)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, cls=DjangoJSONEncoder, indent=2))
            return
        self.stdout.write(f"Expansion readiness as of the end of {report['as_of']}")
        for q in report["questions"]:
            mark = "PASS" if q["passed"] else "FAIL"
            self.stdout.write(f"[{mark}] {q['number']}. {q['question']}\n       {q['evidence']}")
            if q["next_step"]:
                self.stdout.write(f"       Next: {q['next_step']}")
        self.stdout.write(f"{report['passed']} of 5 pass. {report['verdict_text']}")
