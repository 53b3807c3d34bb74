"""CSV import: parsing, row-level validation (all or nothing), encodings, and the import-csv command."""
from datetime import date
from pathlib import Path

import pytest

from app import create_app
from qbo.accounts import store as accounts
from qbo.records import catalog as records
from qbo.records import catalog_writes, documents
from qbo.records import cli as records_cli
from qbo.records.csv_import import import_csv
from qbo.records.csv_reading import FORMULA_MESSAGE, decode_csv, parse_cents, parse_day
from qbo.storage.db import get_db
from tests.conftest import app_config, seed_accounts

CSV = Path(__file__).parents[1] / "data" / "csv"
DIRECTORY_FILES = [("projects", "projects.csv"), ("vendors", "vendors_utf8_bom.csv"),
                   ("cost-codes", "cost_codes.csv"), ("cost-types", "cost_types.csv")]
BILLS_HEADER = "number,vendor,project,bill_date,cost_code,cost_type,description,amount\n"
INVOICES_HEADER = "number,project,invoice_date,cost_code,cost_type,amount\n"


@pytest.fixture
def acme(db):
    return accounts.create_company(db, "Acme Construction").id


@pytest.fixture
def loaded(db, acme):
    """Acme with the projects, vendors, cost codes and cost types the bill and invoice files refer to."""
    for kind, name in DIRECTORY_FILES:
        assert import_csv(db, acme, kind, (CSV / name).read_bytes()).ok
    return acme


def _counts(db, company_id: int) -> tuple[int, ...]:
    return (records.count_projects(db, company_id), records.count_vendors(db, company_id),
            records.count_cost_codes(db, company_id), records.count_cost_types(db, company_id),
            documents.count_bills(db, company_id), documents.count_invoices(db, company_id))


# --- parsing ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, cents", [
    ("12", 1200), ("12.5", 1250), ("12.50", 1250), ("0.05", 5), (".5", 50), ("$1,234.56", 123456),
    ("1,234", 123400), ("1,234,567.89", 123456789), ("-12.50", -1250), ("-$12.50", -1250), ("$-12.50", -1250),
    ("(7.25)", -725), (" $980.10 ", 98010), ("0.10000", 10), ("19.99", 1999),
])
def test_amounts_become_exact_cents(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text", ["abc", "", "$", "-", "12,34", "1.2.3", "1e5", "--1", "-$-1", "1.005", "12 00",
                                  "+12", "$ 12", "1,2345"])
def test_amounts_that_are_refused(text):
    with pytest.raises(ValueError):
        parse_cents(text)


@pytest.mark.parametrize("text, day", [("2026-11-01", date(2026, 11, 1)), ("11/01/2026", date(2026, 11, 1)),
                                       ("1/2/2026", date(2026, 1, 2)), (" 12/31/2026 ", date(2026, 12, 31))])
def test_iso_and_us_dates(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["2026-13-01", "13/45/2026", "2026/11/01", "Nov 1 2026", "20261101", "1/2/26"])
def test_dates_that_are_refused(text):
    with pytest.raises(ValueError):
        parse_day(text)


def test_decoding_utf8_bom_and_latin1():
    assert decode_csv("\ufeffname\nNiño".encode("utf-8")) == "name\nNiño"
    assert decode_csv("name\nNiño".encode("utf-8")) == "name\nNiño"
    assert decode_csv("name\nCafé Drywall".encode("latin-1")) == "name\nCafé Drywall"


# --- good files -------------------------------------------------------------------------------------------------


def test_directory_files_import_with_bom_and_header_spelling(db, loaded):
    assert _counts(db, loaded)[:4] == (3, 3, 3, 3)
    summit = records.list_vendors(db, loaded, search="summit")[0]
    assert (summit.name, summit.vendor_type, summit.tax_id) == ("Summit Electric, LLC", "subcontractor", "12-3456789")
    assert records.list_vendors(db, loaded, search="tile")[0].name == "Niño Tile & Stone"
    projects = {p.number: p for p in records.list_projects(db, loaded)}
    assert projects["P-2002"].status == "active" and projects["P-2003"].status == "closed"
    assert projects["P-2001"].address == "400 Maple Ct, Fresno, CA 93701"


def test_latin1_file_imports(db, acme):
    result = import_csv(db, acme, "vendors", (CSV / "vendors_latin1.csv").read_bytes())
    assert result.ok and result.created == {"vendors": 2}
    assert {v.name for v in records.list_vendors(db, acme)} == {"Café Drywall", "Brandt Müller Masonry"}


def test_good_bills_file_creates_bills_with_exact_cent_totals(db, loaded):
    result = import_csv(db, loaded, "bills", (CSV / "bills.csv").read_bytes())
    assert result.ok, result.errors
    assert result.created == {"bills": 3, "bill_lines": 6}
    bills = {(b.vendor_name, b.number): b for b in documents.list_bills(db, loaded)}
    summit = bills["Summit Electric, LLC", "INV-881"]
    assert summit.total_cents == 1_250_000 - 62_500 + 123_456
    assert [line.amount_cents for line in summit.lines] == [1_250_000, -62_500, 123_456]
    assert (summit.commitment_number, summit.approval_status, summit.bill_date) == ("SC-2001-01", "approved",
                                                                                     date(2026, 10, 1))
    ferguson = bills["Ferguson Enterprises", "10027"]
    assert ferguson.total_cents == 98_015 and [line.line_number for line in ferguson.lines] == [1, 2]
    assert (ferguson.bill_date, ferguson.due_date, ferguson.approval_status) == (date(2026, 10, 15),
                                                                                 date(2026, 11, 14), "pending")
    credit = bills["Ferguson Enterprises", "INV-881"]
    assert credit.total_cents == -1250 and credit.due_date is None
    assert credit.lines[0].description == "Credit: same number, other vendor"


def test_good_invoices_file(db, loaded):
    result = import_csv(db, loaded, "invoices", (CSV / "invoices.csv").read_bytes())
    assert result.ok and result.created == {"invoices": 2, "invoice_lines": 3}
    invoices = {i.number: i for i in documents.list_invoices(db, loaded)}
    assert invoices["P-2001-PA01"].total_cents == 5_325_050
    assert invoices["P-2002-PA01"].total_cents == 300_000
    assert invoices["P-2002-PA01"].approval_status == "pending"  # the default when the cell is empty
    assert invoices["P-2002-PA01"].invoice_date == date(2026, 10, 31)


# --- bad files: the row-level message, and nothing imported ---------------------------------------------------


BAD_FILES = [
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-2001,2026-10-01,03-300,M,ok,100\n"
                             "B-1,Ferguson Enterprises,P-2001,2026-10-01,03-300,M,rebar,abc\n",
     "row 3: amount 'abc' is not a number"),
    ("bills", BILLS_HEADER + "B-1,Acme Sub,P-2001,2026-10-01,03-300,M,x,1\n", "row 2: unknown vendor 'Acme Sub'"),
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-9999,2026-10-01,03-300,M,x,1\n",
     "row 2: unknown project 'P-9999'"),
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-2001,2026-10-01,99-999,Z,x,1\n",
     "row 2: unknown cost code '99-999'"),
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-2001,2026-10-01,03-300,Z,x,1\n",
     "row 2: unknown cost type 'Z'"),
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-2001,13/45/2026,03-300,M,x,1\n",
     "row 2: bill_date '13/45/2026' is not a date (use YYYY-MM-DD or MM/DD/YYYY)"),
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-2001,2026-10-01,03-300,M,x,1.005\n",
     "row 2: amount '1.005' has more than two decimal places"),
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-2001,2026-10-01,03-300,M,x,1,234.00\n",
     "row 2: 9 cells but the header has 8 columns (quote cells that contain commas)"),
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-2001,2026-10-01,03-300,M,a,1\n"
                             "B-1,Ferguson Enterprises,P-2002,2026-10-01,03-300,M,b,1\n",
     "row 3: bill 'B-1' has project 'P-2001' on row 2, not 'P-2002'"),
    ("bills", "number,vendor,project,bill_date,line_number,cost_code,cost_type,amount\n"
              "B-1,Ferguson Enterprises,P-2001,2026-10-01,1,03-300,M,1\n"
              "B-1,Ferguson Enterprises,P-2001,2026-10-01,1,03-300,M,2\n",
     "row 3: duplicate line_number 1 for bill 'B-1'"),
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-2001,2026-10-01,03-300,M,-cmd|' /C calc'!A0,1\n",
     f"row 2: {FORMULA_MESSAGE} (column 'description')"),
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-2001,2026-10-01,03-300,M,x,=1+2\n",
     f"row 2: {FORMULA_MESSAGE} (column 'amount')"),
    ("bills", BILLS_HEADER + "B-1,Ferguson Enterprises,P-2001,2026-10-01,03-300,M,x,\n",
     "row 2: missing column 'amount'"),
    ("invoices", INVOICES_HEADER + "I-1,P-2001,2026-10-01,03-300,S,100\nI-1,P-2001,2026-10-02,03-300,S,100\n",
     "row 3: invoice 'I-1' has invoice_date '2026-10-01' on row 2, not '2026-10-02'"),
    ("projects", "number,name\nP-3001,One\nP-3002,Two\nP-3001,Again\n", "row 4: duplicate project number 'P-3001'"),
    ("projects", "number,name\np-2001,Differs only by case\n", "row 2: duplicate project number 'p-2001'"),
    ("projects", "number,name\nP-3001,One\nP-3002,\n", "row 3: missing column 'name'"),
    ("projects", "number,name\nP-3001\n", "row 2: missing column 'name'"),
    ("projects", "number,name\nP-3001,=HYPERLINK(\"http://evil.example\")\n",
     f"row 2: {FORMULA_MESSAGE} (column 'name')"),
    ("projects", "number,name,status\nP-3001,One,paused\n", "row 2: status 'paused' is not one of active, closed"),
    ("projects", "number,name,customer_email\nP-3001,One,nobody\n",
     "row 2: customer_email 'nobody' is not an e-mail address"),
    ("vendors", "name,vendor_type,phone\n@SUM(A1),supplier,\n", f"row 2: {FORMULA_MESSAGE} (column 'name')"),
    ("vendors", "name,vendor_type\nSummit Electric, LLC,subcontractor\n",
     "row 2: 3 cells but the header has 2 columns (quote cells that contain commas)"),
    ("vendors", "name,vendor_type\nNew Sub,contractor\n",
     "row 2: vendor_type 'contractor' is not one of subcontractor, supplier"),
    ("vendors", "name,vendor_type\nferguson enterprises,supplier\n",
     "row 2: duplicate vendor name 'ferguson enterprises'"),
    ("cost-codes", "code,description\n03-300,Again\n", "row 2: duplicate cost code '03-300'"),
    ("cost-types", "code,name\nX,One\nX,Two\n", "row 3: duplicate cost type code 'X'"),
]


@pytest.mark.parametrize("kind, text, message", BAD_FILES)
def test_a_bad_row_gives_its_message_and_nothing_is_imported(db, loaded, kind, text, message):
    before = _counts(db, loaded)
    result = import_csv(db, loaded, kind, text.encode())
    assert not result.ok and result.created == {}
    assert message in result.errors, result.errors
    assert _counts(db, loaded) == before


def test_every_error_is_reported_in_row_order(db, loaded):
    result = import_csv(db, loaded, "bills", (CSV / "bills_with_errors.csv").read_bytes())
    assert result.errors == ("row 3: amount 'abc' is not a number", "row 4: unknown vendor 'Acme Sub'",
                             f"row 5: {FORMULA_MESSAGE} (column 'description')")
    assert documents.count_bills(db, loaded) == 0


def test_missing_columns_are_reported_once_naming_them(db, loaded):
    result = import_csv(db, loaded, "bills", b"number,project,bill_date,cost_code,cost_type\nB-1,P-2001,x,y,z\n" * 1)
    assert result.errors == ("row 1: missing columns 'vendor', 'amount'",)
    result = import_csv(db, loaded, "projects", b"number,customer_name\nP-1,Someone\nP-2,Else\n")
    assert result.errors == ("row 1: missing column 'name'",)


def test_empty_and_header_only_files(db, acme):
    assert import_csv(db, acme, "projects", b"").errors == ("row 1: the file is empty; it needs a header row",)
    assert import_csv(db, acme, "projects", b"number,name\n\n").errors == (
        "row 2: there are no rows to import below the header",)


def test_a_bill_already_imported_is_a_duplicate(db, loaded):
    assert import_csv(db, loaded, "bills", (CSV / "bills.csv").read_bytes()).ok
    again = import_csv(db, loaded, "bills", (CSV / "bills.csv").read_bytes())
    assert "row 2: duplicate bill 'INV-881' for vendor 'Summit Electric, LLC'" in again.errors
    assert documents.count_bills(db, loaded) == 3
    assert import_csv(db, loaded, "invoices", (CSV / "invoices.csv").read_bytes()).ok
    assert "row 2: duplicate invoice number 'P-2001-PA01'" in import_csv(
        db, loaded, "invoices", (CSV / "invoices.csv").read_bytes()).errors


def test_negative_amounts_are_not_mistaken_for_formulas(db, loaded):
    text = BILLS_HEADER + "C-1,Ferguson Enterprises,P-2001,2026-10-01,03-300,M,credit,-12.50\n"
    result = import_csv(db, loaded, "bills", text.encode())
    assert result.ok, result.errors
    assert documents.list_bills(db, loaded)[0].total_cents == -1250


def test_references_resolve_only_within_the_company(db, loaded):
    cedar = accounts.create_company(db, "Cedar Homes").id
    catalog_writes.insert_vendor(db, cedar, "Cedar Only Supply", "supplier")
    text = BILLS_HEADER + "B-1,Cedar Only Supply,P-2001,2026-10-01,03-300,M,x,1\n"
    assert import_csv(db, loaded, "bills", text.encode()).errors == ("row 2: unknown vendor 'Cedar Only Supply'",)
    assert import_csv(db, cedar, "bills", (CSV / "bills.csv").read_bytes()).errors[0] == (
        "row 2: unknown vendor 'Summit Electric, LLC'")


def test_references_ignore_case_when_unambiguous(db, loaded):
    text = BILLS_HEADER + "B-1,ferguson enterprises,p-2001,2026-10-01,03-300,m,x,1\n"
    assert import_csv(db, loaded, "bills", text.encode()).ok
    assert documents.list_bills(db, loaded)[0].vendor_name == "Ferguson Enterprises"


def test_unknown_kind_is_refused(db, acme):
    with pytest.raises(ValueError):
        import_csv(db, acme, "customers", b"name\nX\n")


# --- the command ------------------------------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path):
    """The app with the records commands wired in (as create_app will do once the lead adds records_cli)."""
    app = create_app(app_config(tmp_path, "http://127.0.0.1:9"))
    if "import-csv" not in app.cli.commands:
        records_cli.init_app(app)
    with app.app_context():
        seed_accounts(get_db())
    return app


def _acme_counts(app) -> tuple[int, ...]:
    with app.app_context():
        db = get_db()
        return _counts(db, accounts.find_company_by_name(db, "Acme Construction").id)


def test_command_imports_and_prints_counts(app, runner):
    for kind, name in [*DIRECTORY_FILES, ("bills", "bills.csv")]:
        result = runner.invoke(args=["import-csv", kind, str(CSV / name), "--company", "Acme Construction"])
        assert result.exit_code == 0, result.output
    assert "Imported 3 bills, 6 bill lines into 'Acme Construction'." in result.output
    assert _acme_counts(app) == (3, 3, 3, 3, 3, 0)


def test_command_prints_every_error_and_exits_non_zero(app, runner):
    for kind, name in DIRECTORY_FILES:
        runner.invoke(args=["import-csv", kind, str(CSV / name), "--company", "Acme Construction"])
    result = runner.invoke(args=["import-csv", "bills", str(CSV / "bills_with_errors.csv"),
                                 "--company", "Acme Construction"])
    assert result.exit_code == 1
    assert "row 3: amount 'abc' is not a number" in result.stderr
    assert "row 4: unknown vendor 'Acme Sub'" in result.stderr
    assert "Nothing was imported: 3 error(s) in bills_with_errors.csv." in result.stderr
    assert _acme_counts(app)[4] == 0


def test_command_refuses_unknown_company_kind_and_path(app, runner, tmp_path):
    result = runner.invoke(args=["import-csv", "projects", str(CSV / "projects.csv"), "--company", "Nobody Inc"])
    assert result.exit_code == 1 and "No company named 'Nobody Inc'" in result.output
    assert runner.invoke(args=["import-csv", "customers", str(CSV / "projects.csv"), "--company",
                               "Acme Construction"]).exit_code == 2
    assert runner.invoke(args=["import-csv", "projects", str(tmp_path / "missing.csv"), "--company",
                               "Acme Construction"]).exit_code == 2
    assert _acme_counts(app) == (0, 0, 0, 0, 0, 0)


def test_demo_records_command_is_safe_to_rerun(app, runner):
    first = runner.invoke(args=["demo-records", "--company", "Acme Construction"])
    assert first.exit_code == 0 and "Created 6 projects, 20 vendors, 30 cost codes" in first.output
    second = runner.invoke(args=["demo-records", "--company", "Acme Construction"])
    assert second.exit_code == 0 and "nothing was added" in second.output
    assert _acme_counts(app) == (6, 20, 30, 5, 100, 20)
