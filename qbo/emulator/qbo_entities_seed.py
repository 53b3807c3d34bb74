"""Per-company list data (accounts, classes, items, vendors, customers), deterministic.

Keystone (…01) and Harbor Point (…02) share some names, often spelled a little differently, so
that matching across a company switch has real work to do; Summit Ridge (…03) is mostly its own.
"""
from __future__ import annotations

from dataclasses import dataclass

# (AcctNum, Name, AccountType, AccountSubType)
Account = tuple[str, str, str, str]
# (Sku, Name, income account, expense account, unit price)
Item = tuple[str, str, str, str, float]
# (DisplayName, contact given name, family name, is a 1099 subcontractor)
Vendor = tuple[str, str, str, bool]
# (DisplayName, parent DisplayName or "")
Customer = tuple[str, str]


@dataclass(frozen=True)
class RealmSeed:
    realm_id: str
    area_code: str
    city: tuple[str, str, str]
    vendor_prefix: str
    accounts: tuple[Account, ...]
    classes: tuple[str, ...]
    items: tuple[Item, ...]
    vendors: tuple[Vendor, ...]
    customers: tuple[Customer, ...]
    inactive: tuple[tuple[str, str], ...]


COGS, EXPENSE, INCOME = "Cost of Goods Sold", "Expense", "Income"
AP = ("2000", "Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable")

KEYSTONE = RealmSeed(
    "9130350000000001", "215", ("Philadelphia", "PA", "191"), "KB",
    accounts=(
        ("1000", "Checking", "Bank", "Checking"),
        ("1200", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"), AP,
        ("2100", "Retainage Payable", "Other Current Liability", "OtherCurrentLiabilities"),
        ("4000", "Construction Income", INCOME, "ServiceFeeIncome"),
        ("4100", "Services", INCOME, "ServiceFeeIncome"),
        ("5000", "Job Materials", COGS, "SuppliesMaterialsCogs"),
        ("5100", "Subcontractors", COGS, "CostOfLaborCos"),
        ("5200", "Labor", COGS, "CostOfLaborCos"),
        ("5300", "Equipment Rental", COGS, "EquipmentRentalCos"),
        ("5400", "Permits and Fees", COGS, "OtherCostsOfServiceCos"),
        ("6000", "Insurance", EXPENSE, "Insurance"),
        ("6100", "Office Supplies", EXPENSE, "OfficeGeneralAdministrativeExpenses"),
        ("6200", "Rent or Lease", EXPENSE, "RentOrLeaseOfBuildings"),
        ("6300", "Vehicle Expenses", EXPENSE, "Auto"),
        ("6400", "Small Tools and Equipment", EXPENSE, "SuppliesMaterials"),
        ("6900", "Bonding Costs", EXPENSE, "OtherMiscellaneousServiceCost"),
    ),
    classes=("Commercial", "Residential", "Public Works", "Service and Repair"),
    items=(
        ("01-500", "General Conditions", "Construction Income", "Labor", 0),
        ("02-410", "Demolition", "Construction Income", "Subcontractors", 0),
        ("03-300", "Concrete", "Construction Income", "Subcontractors", 185.0),
        ("04-200", "Masonry", "Construction Income", "Subcontractors", 0),
        ("06-100", "Framing", "Construction Income", "Subcontractors", 0),
        ("07-500", "Roofing", "Construction Income", "Subcontractors", 0),
        ("09-250", "Drywall", "Construction Income", "Subcontractors", 0),
        ("09-900", "Painting", "Construction Income", "Subcontractors", 0),
        ("22-000", "Plumbing", "Construction Income", "Subcontractors", 0),
        ("23-000", "HVAC", "Construction Income", "Subcontractors", 0),
        ("26-000", "Electrical", "Construction Income", "Subcontractors", 0),
        ("31-000", "Sitework", "Construction Income", "Equipment Rental", 0),
    ),
    vendors=(
        ("ABC Concrete Co.", "Tony", "Russo", True),
        ("Ace Electrical Contractors", "Maria", "Lopez", True),
        ("Allied Plumbing & Heating", "Dan", "Kowalski", True),
        ("Benchmark Framing LLC", "", "", True),
        ("Brightline Drywall Inc.", "", "", True),
        ("Delaware Valley Roofing", "Kevin", "Walsh", True),
        ("Ferguson Enterprises", "", "", False),
        ("Home Depot Pro", "", "", False),
        ("Keystone Excavation & Sitework", "Ray", "Donnelly", True),
        ("Liberty Steel Erectors", "", "", True),
        ("O'Brien Masonry", "Sean", "O'Brien", True),
        ("Penn Glass & Glazing", "", "", True),
        ("Quaker City Lumber", "", "", False),
        ("Schuylkill Fire Protection", "", "", True),
        ("Sunbelt Rentals", "", "", False),
        ("Tri-State HVAC Services", "Angela", "Reyes", True),
        ("United Rentals", "", "", False),
        ("Wissahickon Landscaping", "", "", True),
    ),
    customers=(
        ("Rittenhouse Square Condominiums", ""), ("Rittenhouse Lobby Renovation",
                                                  "Rittenhouse Square Condominiums"),
        ("Rittenhouse Roof Replacement", "Rittenhouse Square Condominiums"),
        ("Drexel University", ""), ("Drexel Science Center Fit-Out", "Drexel University"),
        ("City of Philadelphia", ""), ("Fairmount Park Pavilion", "City of Philadelphia"),
        ("Main Line Health", ""), ("Marriott International", ""), ("CVS Health", ""),
        ("Patel Residence", ""), ("Liberty Property Trust", ""),
    ),
    inactive=(("Vendor", "Wissahickon Landscaping"), ("Customer", "Liberty Property Trust"),
              ("Item", "Demolition"), ("Account", "Bonding Costs")),
)

HARBOR = RealmSeed(
    "9130350000000002", "617", ("Boston", "MA", "022"), "HP",
    accounts=(
        ("40000", "Construction Income", INCOME, "ServiceFeeIncome"),
        ("40500", "Service Income", INCOME, "ServiceFeeIncome"),
        ("10100", "Operating Account", "Bank", "Checking"),
        ("11000", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
        ("20000", *AP[1:]),
        ("50000", "Job Materials", COGS, "SuppliesMaterialsCogs"),
        ("50100", "Subcontract Labor", COGS, "CostOfLaborCos"),
        ("50200", "Direct Labor", COGS, "CostOfLaborCos"),
        ("50300", "Equipment Rental", COGS, "EquipmentRentalCos"),
        ("50400", "Dumpsters and Hauling", COGS, "OtherCostsOfServiceCos"),
        ("60000", "Insurance", EXPENSE, "Insurance"),
        ("60100", "Office Expenses", EXPENSE, "OfficeGeneralAdministrativeExpenses"),
        ("60300", "Truck Expenses", EXPENSE, "Auto"),
        ("60900", "Winter Protection", EXPENSE, "OtherMiscellaneousServiceCost"),
    ),
    classes=("Institutional", "Commercial", "Public Works", "Residential"),
    items=(
        ("01-500", "01-500 General Conditions", "Construction Income", "Direct Labor", 0),
        ("02-410", "02-410 Demolition", "Construction Income", "Subcontract Labor", 0),
        ("03-300", "03-300 Concrete", "Construction Income", "Subcontract Labor", 0),
        ("05-120", "05-120 Structural Steel", "Construction Income", "Subcontract Labor", 0),
        ("06-100", "06-100 Rough Carpentry", "Construction Income", "Subcontract Labor", 0),
        ("07-500", "07-500 Roofing", "Construction Income", "Subcontract Labor", 0),
        ("08-800", "08-800 Glazing", "Construction Income", "Subcontract Labor", 0),
        ("09-250", "09-250 Gypsum Board", "Construction Income", "Subcontract Labor", 0),
        ("22-000", "22-000 Plumbing", "Construction Income", "Subcontract Labor", 0),
        ("26-000", "26-000 Electrical", "Construction Income", "Subcontract Labor", 0),
        ("31-000", "31-000 Earthwork", "Construction Income", "Equipment Rental", 0),
    ),
    vendors=(
        ("Back Bay HVAC", "", "", True),
        ("Bay State Drywall", "Liam", "Murphy", True),
        ("Beacon Hill Painting", "", "", True),
        ("Boston Sand & Gravel", "", "", False),
        ("Cape Ann Landscaping", "", "", True),
        ("Charles River Framing", "", "", True),
        ("Commonwealth Roofing LLC", "Erin", "Doyle", True),
        ("Harbor Electric Co.", "", "", True),
        ("Home Depot Pro", "", "", False),
        ("Mystic Plumbing Supply", "", "", False),
        ("New England Steel Fabricators", "", "", True),
        ("O'Brien Masonry", "Sean", "O'Brien", True),
        ("Patriot Excavation", "Mike", "Sullivan", True),
        ("Seaport Glass Works", "", "", True),
        ("ABC Concrete Company", "Tony", "Russo", True),
        ("Ace Electrical Contractors", "Maria", "Lopez", True),
        ("Allied Plumbing and Heating", "Dan", "Kowalski", True),
        ("Sunbelt Rentals", "", "", False),
        ("Ferguson Enterprises, Inc.", "", "", False),
        ("United Rentals, Inc.", "", "", False),
    ),
    customers=(
        ("Boston Children's Hospital", ""), ("NICU Expansion", "Boston Children's Hospital"),
        ("City of Boston", ""), ("Seaport Fire Station", "City of Boston"),
        ("Northeastern University", ""), ("Curry Center Renovation", "Northeastern University"),
        ("Marriott International, Inc.", ""), ("CVS Health", ""), ("Drexel University", ""),
        ("Old Harbor Marina", ""),
    ),
    inactive=(("Vendor", "Cape Ann Landscaping"), ("Customer", "Old Harbor Marina"),
              ("Item", "02-410 Demolition")),
)

SUMMIT = RealmSeed(
    "9130350000000003", "303", ("Denver", "CO", "802"), "SR",
    accounts=(
        ("1010", "Operating Checking", "Bank", "Checking"),
        ("1100", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"), AP,
        ("4010", "Contract Revenue", INCOME, "ServiceFeeIncome"),
        ("4020", "Time and Materials Revenue", INCOME, "ServiceFeeIncome"),
        ("5010", "Materials and Supplies", COGS, "SuppliesMaterialsCogs"),
        ("5020", "Subcontractor Costs", COGS, "CostOfLaborCos"),
        ("5030", "Field Labor", COGS, "CostOfLaborCos"),
        ("5040", "Heavy Equipment", COGS, "EquipmentRentalCos"),
        ("6010", "General Liability Insurance", EXPENSE, "Insurance"),
        ("6020", "Fuel", EXPENSE, "Auto"),
        ("6030", "Professional Fees", EXPENSE, "LegalProfessionalFees"),
    ),
    classes=("Hospitality", "Education", "Commercial"),
    items=(
        ("SR-100", "Site Concrete", "Contract Revenue", "Subcontractor Costs", 0),
        ("SR-110", "Foundations", "Contract Revenue", "Subcontractor Costs", 0),
        ("SR-200", "Structural Framing", "Contract Revenue", "Subcontractor Costs", 0),
        ("SR-300", "Electrical Rough-In", "Contract Revenue", "Subcontractor Costs", 0),
        ("SR-310", "Electrical Finish", "Contract Revenue", "Subcontractor Costs", 0),
        ("SR-400", "Plumbing Rough-In", "Contract Revenue", "Subcontractor Costs", 0),
        ("SR-500", "Mechanical", "Contract Revenue", "Subcontractor Costs", 0),
        ("SR-600", "Roofing and Sheet Metal", "Contract Revenue", "Subcontractor Costs", 0),
        ("SR-700", "Interior Finishes", "Contract Revenue", "Materials and Supplies", 0),
        ("SR-900", "Project Management", "Time and Materials Revenue", "Field Labor", 95.0),
    ),
    vendors=(
        ("Alpine Concrete Pumping", "Jake", "Hansen", True),
        ("Aspen HVAC Mechanical", "", "", True),
        ("Boulder Glass & Mirror", "", "", True),
        ("Centennial Painting", "", "", True),
        ("Cherry Creek Drywall", "Nina", "Park", True),
        ("Colorado Rock & Gravel", "", "", False),
        ("Continental Steel Supply", "", "", False),
        ("Foothills Landscape Co.", "", "", True),
        ("Front Range Electric", "Luis", "Ortega", True),
        ("Home Depot Pro", "", "", False),
        ("Mile High Framing", "", "", True),
        ("Pikes Peak Excavating", "", "", True),
        ("Red Rocks Fire Sprinkler", "", "", True),
        ("Rocky Mountain Plumbing", "Beth", "Olsen", True),
        ("Summit Roofing & Sheet Metal", "", "", True),
        ("Sunbelt Rentals", "", "", False),
    ),
    customers=(
        ("Denver Public Schools", ""), ("East High Gymnasium", "Denver Public Schools"),
        ("Lincoln Elementary HVAC", "Denver Public Schools"),
        ("City and County of Denver", ""), ("Union Station Canopy", "City and County of Denver"),
        ("Vail Resorts", ""), ("Colorado State University", ""), ("Gates Residence", ""),
        ("Lowry Redevelopment Authority", ""),
    ),
    inactive=(("Vendor", "Foothills Landscape Co."),
              ("Customer", "Lowry Redevelopment Authority")),
)

REALM_SEEDS: dict[str, RealmSeed] = {seed.realm_id: seed for seed in (KEYSTONE, HARBOR, SUMMIT)}
