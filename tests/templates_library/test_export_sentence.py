"""Exports say the FVM sentence as PRODUCT's rule has it: "An HR business partner …"."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from roles.models import RolePackVersion
from templates_library.exporters import build_export

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rolepacks"
HR = "An HR business partner has reached first value when they have a job description"

pytestmark = pytest.mark.django_db


def texts(content: bytes) -> str:
    """Every text in an export: the file itself, or each member of a zip (nested ones too)."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        return content.decode("utf-8", errors="replace")
    archive = zipfile.ZipFile(io.BytesIO(content))
    return "\n".join(texts(archive.read(name)) for name in archive.namelist())


@pytest.mark.parametrize("fmt", ["m365-agent", "prompty", "markdown"])
def test_the_hr_example_exports_an_hr_business_partner(fmt):
    call_command(
        "import_rolepack", str(EXAMPLES / "hr-business-partner.yaml"), stdout=io.StringIO()
    )
    version = RolePackVersion.objects.get(pack__slug="hr-business-partner")
    assert version.fvm_sentence.startswith(HR)
    text = texts(build_export([version], fmt).content)
    assert HR in text
    assert "A hR" not in text and "a hR" not in text


def test_an_it_admin_pack_exports_an_it_admin():
    from tests.factories import make_pack

    version = make_pack("it-admin", name="IT admin")
    text = texts(build_export([version], "markdown").content)
    assert "An IT admin has reached first value" in text
