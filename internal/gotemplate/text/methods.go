// This file is closeloop's, not the standard library's: see
// internal/gotemplate/README.md. Add a name here when a template reads a new
// one (TestMethodNamesCoverTheTemplates in templates/ lists what is missing).

package template

import "reflect"

// MethodNames are the names a template may call a method by: the exported
// names the project's templates read as fields or methods.
var MethodNames = []string{
	"About",
	"Action",
	"AllHref",
	"Already",
	"Answer",
	"Answered",
	"AnsweredAt",
	"Arrow",
	"Assignee",
	"At",
	"Author",
	"Before",
	"BonusHint",
	"Brand",
	"Branding",
	"CSRF",
	"CSV",
	"Case",
	"CaseID",
	"CaseURL",
	"Cases",
	"Change",
	"ChangeClass",
	"ChangeColor",
	"Chart",
	"Charts",
	"Checked",
	"Choices",
	"Class",
	"Color",
	"Comment",
	"Comments",
	"Conflict",
	"ContactMe",
	"CreatedAt",
	"Current",
	"Customer",
	"CustomerMessage",
	"DashboardURL",
	"Data",
	"DescribedBy",
	"Detail",
	"Due",
	"DueBy",
	"Email",
	"Error",
	"Errors",
	"Excerpt",
	"Export",
	"Fields",
	"Flash",
	"Footer",
	"Form",
	"From",
	"Get",
	"Greeting",
	"Groups",
	"HasComment",
	"Head",
	"Hint",
	"History",
	"Href",
	"ID",
	"Intro",
	"Invalid",
	"Items",
	"Key",
	"KeyID",
	"Keys",
	"KeywordRule",
	"Kind",
	"Label",
	"Lang",
	"Legend",
	"Line",
	"Lines",
	"Links",
	"Loc",
	"Location",
	"LogoURL",
	"Loop",
	"Message",
	"Metrics",
	"Mine",
	"More",
	"MoreOverdue",
	"NPS",
	"Name",
	"NameDesc",
	"NameError",
	"Nav",
	"Next",
	"NoURL",
	"Note",
	"Notes",
	"Notify",
	"Now",
	"OnColor",
	"OpenReasons",
	"OpenedAt",
	"OrderID",
	"Other",
	"Outcome",
	"Outcomes",
	"Overdue",
	"OverdueSince",
	"Owner",
	"Platform",
	"Points",
	"PointsText",
	"PostalAddress",
	"Presets",
	"Prev",
	"PrivacyURL",
	"Problem",
	"Problems",
	"Products",
	"Promise",
	"QueueURL",
	"Range",
	"Reason",
	"Reasons",
	"Recheck",
	"Reminders",
	"RemindersText",
	"Remove",
	"Reopened",
	"Reply",
	"Request",
	"Resolution",
	"Resolved",
	"ResolvedAt",
	"Response",
	"Role",
	"RoleDesc",
	"RoleError",
	"RoleLabel",
	"Roles",
	"Rows",
	"SKU",
	"SVG",
	"Score",
	"ScoreLabel",
	"ScoreText",
	"Scores",
	"Secret",
	"Set",
	"Settings",
	"Shown",
	"Stale",
	"Stats",
	"Status",
	"Store",
	"StoreID",
	"Stores",
	"Subject",
	"Survey",
	"T",
	"Tab",
	"Tabs",
	"Tags",
	"Text",
	"TimeZone",
	"Title",
	"To",
	"Total",
	"URL",
	"Unhappy",
	"UnsubscribeLabel",
	"UnsubscribeURL",
	"Unsubscribed",
	"V",
	"Value",
	"Version",
	"Why",
	"YesURL",
}

// methodByName is v.MethodByName(name) for a name in MethodNames and the
// zero Value (no such method) for any other. Each call names its method
// with a constant, so the linker keeps only methods of these names rather
// than every exported method of every type the program converts to an
// interface, which a MethodByName of a variable name makes it keep.
func methodByName(v reflect.Value, name string) reflect.Value {
	switch name {
	case "About":
		return v.MethodByName("About")
	case "Action":
		return v.MethodByName("Action")
	case "AllHref":
		return v.MethodByName("AllHref")
	case "Already":
		return v.MethodByName("Already")
	case "Answer":
		return v.MethodByName("Answer")
	case "Answered":
		return v.MethodByName("Answered")
	case "AnsweredAt":
		return v.MethodByName("AnsweredAt")
	case "Arrow":
		return v.MethodByName("Arrow")
	case "Assignee":
		return v.MethodByName("Assignee")
	case "At":
		return v.MethodByName("At")
	case "Author":
		return v.MethodByName("Author")
	case "Before":
		return v.MethodByName("Before")
	case "BonusHint":
		return v.MethodByName("BonusHint")
	case "Brand":
		return v.MethodByName("Brand")
	case "Branding":
		return v.MethodByName("Branding")
	case "CSRF":
		return v.MethodByName("CSRF")
	case "CSV":
		return v.MethodByName("CSV")
	case "Case":
		return v.MethodByName("Case")
	case "CaseID":
		return v.MethodByName("CaseID")
	case "CaseURL":
		return v.MethodByName("CaseURL")
	case "Cases":
		return v.MethodByName("Cases")
	case "Change":
		return v.MethodByName("Change")
	case "ChangeClass":
		return v.MethodByName("ChangeClass")
	case "ChangeColor":
		return v.MethodByName("ChangeColor")
	case "Chart":
		return v.MethodByName("Chart")
	case "Charts":
		return v.MethodByName("Charts")
	case "Checked":
		return v.MethodByName("Checked")
	case "Choices":
		return v.MethodByName("Choices")
	case "Class":
		return v.MethodByName("Class")
	case "Color":
		return v.MethodByName("Color")
	case "Comment":
		return v.MethodByName("Comment")
	case "Comments":
		return v.MethodByName("Comments")
	case "Conflict":
		return v.MethodByName("Conflict")
	case "ContactMe":
		return v.MethodByName("ContactMe")
	case "CreatedAt":
		return v.MethodByName("CreatedAt")
	case "Current":
		return v.MethodByName("Current")
	case "Customer":
		return v.MethodByName("Customer")
	case "CustomerMessage":
		return v.MethodByName("CustomerMessage")
	case "DashboardURL":
		return v.MethodByName("DashboardURL")
	case "Data":
		return v.MethodByName("Data")
	case "DescribedBy":
		return v.MethodByName("DescribedBy")
	case "Detail":
		return v.MethodByName("Detail")
	case "Due":
		return v.MethodByName("Due")
	case "DueBy":
		return v.MethodByName("DueBy")
	case "Email":
		return v.MethodByName("Email")
	case "Error":
		return v.MethodByName("Error")
	case "Errors":
		return v.MethodByName("Errors")
	case "Excerpt":
		return v.MethodByName("Excerpt")
	case "Export":
		return v.MethodByName("Export")
	case "Fields":
		return v.MethodByName("Fields")
	case "Flash":
		return v.MethodByName("Flash")
	case "Footer":
		return v.MethodByName("Footer")
	case "Form":
		return v.MethodByName("Form")
	case "From":
		return v.MethodByName("From")
	case "Get":
		return v.MethodByName("Get")
	case "Greeting":
		return v.MethodByName("Greeting")
	case "Groups":
		return v.MethodByName("Groups")
	case "HasComment":
		return v.MethodByName("HasComment")
	case "Head":
		return v.MethodByName("Head")
	case "Hint":
		return v.MethodByName("Hint")
	case "History":
		return v.MethodByName("History")
	case "Href":
		return v.MethodByName("Href")
	case "ID":
		return v.MethodByName("ID")
	case "Intro":
		return v.MethodByName("Intro")
	case "Invalid":
		return v.MethodByName("Invalid")
	case "Items":
		return v.MethodByName("Items")
	case "Key":
		return v.MethodByName("Key")
	case "KeyID":
		return v.MethodByName("KeyID")
	case "Keys":
		return v.MethodByName("Keys")
	case "KeywordRule":
		return v.MethodByName("KeywordRule")
	case "Kind":
		return v.MethodByName("Kind")
	case "Label":
		return v.MethodByName("Label")
	case "Lang":
		return v.MethodByName("Lang")
	case "Legend":
		return v.MethodByName("Legend")
	case "Line":
		return v.MethodByName("Line")
	case "Lines":
		return v.MethodByName("Lines")
	case "Links":
		return v.MethodByName("Links")
	case "Loc":
		return v.MethodByName("Loc")
	case "Location":
		return v.MethodByName("Location")
	case "LogoURL":
		return v.MethodByName("LogoURL")
	case "Loop":
		return v.MethodByName("Loop")
	case "Message":
		return v.MethodByName("Message")
	case "Metrics":
		return v.MethodByName("Metrics")
	case "Mine":
		return v.MethodByName("Mine")
	case "More":
		return v.MethodByName("More")
	case "MoreOverdue":
		return v.MethodByName("MoreOverdue")
	case "NPS":
		return v.MethodByName("NPS")
	case "Name":
		return v.MethodByName("Name")
	case "NameDesc":
		return v.MethodByName("NameDesc")
	case "NameError":
		return v.MethodByName("NameError")
	case "Nav":
		return v.MethodByName("Nav")
	case "Next":
		return v.MethodByName("Next")
	case "NoURL":
		return v.MethodByName("NoURL")
	case "Note":
		return v.MethodByName("Note")
	case "Notes":
		return v.MethodByName("Notes")
	case "Notify":
		return v.MethodByName("Notify")
	case "Now":
		return v.MethodByName("Now")
	case "OnColor":
		return v.MethodByName("OnColor")
	case "OpenReasons":
		return v.MethodByName("OpenReasons")
	case "OpenedAt":
		return v.MethodByName("OpenedAt")
	case "OrderID":
		return v.MethodByName("OrderID")
	case "Other":
		return v.MethodByName("Other")
	case "Outcome":
		return v.MethodByName("Outcome")
	case "Outcomes":
		return v.MethodByName("Outcomes")
	case "Overdue":
		return v.MethodByName("Overdue")
	case "OverdueSince":
		return v.MethodByName("OverdueSince")
	case "Owner":
		return v.MethodByName("Owner")
	case "Platform":
		return v.MethodByName("Platform")
	case "Points":
		return v.MethodByName("Points")
	case "PointsText":
		return v.MethodByName("PointsText")
	case "PostalAddress":
		return v.MethodByName("PostalAddress")
	case "Presets":
		return v.MethodByName("Presets")
	case "Prev":
		return v.MethodByName("Prev")
	case "PrivacyURL":
		return v.MethodByName("PrivacyURL")
	case "Problem":
		return v.MethodByName("Problem")
	case "Problems":
		return v.MethodByName("Problems")
	case "Products":
		return v.MethodByName("Products")
	case "Promise":
		return v.MethodByName("Promise")
	case "QueueURL":
		return v.MethodByName("QueueURL")
	case "Range":
		return v.MethodByName("Range")
	case "Reason":
		return v.MethodByName("Reason")
	case "Reasons":
		return v.MethodByName("Reasons")
	case "Recheck":
		return v.MethodByName("Recheck")
	case "Reminders":
		return v.MethodByName("Reminders")
	case "RemindersText":
		return v.MethodByName("RemindersText")
	case "Remove":
		return v.MethodByName("Remove")
	case "Reopened":
		return v.MethodByName("Reopened")
	case "Reply":
		return v.MethodByName("Reply")
	case "Request":
		return v.MethodByName("Request")
	case "Resolution":
		return v.MethodByName("Resolution")
	case "Resolved":
		return v.MethodByName("Resolved")
	case "ResolvedAt":
		return v.MethodByName("ResolvedAt")
	case "Response":
		return v.MethodByName("Response")
	case "Role":
		return v.MethodByName("Role")
	case "RoleDesc":
		return v.MethodByName("RoleDesc")
	case "RoleError":
		return v.MethodByName("RoleError")
	case "RoleLabel":
		return v.MethodByName("RoleLabel")
	case "Roles":
		return v.MethodByName("Roles")
	case "Rows":
		return v.MethodByName("Rows")
	case "SKU":
		return v.MethodByName("SKU")
	case "SVG":
		return v.MethodByName("SVG")
	case "Score":
		return v.MethodByName("Score")
	case "ScoreLabel":
		return v.MethodByName("ScoreLabel")
	case "ScoreText":
		return v.MethodByName("ScoreText")
	case "Scores":
		return v.MethodByName("Scores")
	case "Secret":
		return v.MethodByName("Secret")
	case "Set":
		return v.MethodByName("Set")
	case "Settings":
		return v.MethodByName("Settings")
	case "Shown":
		return v.MethodByName("Shown")
	case "Stale":
		return v.MethodByName("Stale")
	case "Stats":
		return v.MethodByName("Stats")
	case "Status":
		return v.MethodByName("Status")
	case "Store":
		return v.MethodByName("Store")
	case "StoreID":
		return v.MethodByName("StoreID")
	case "Stores":
		return v.MethodByName("Stores")
	case "Subject":
		return v.MethodByName("Subject")
	case "Survey":
		return v.MethodByName("Survey")
	case "T":
		return v.MethodByName("T")
	case "Tab":
		return v.MethodByName("Tab")
	case "Tabs":
		return v.MethodByName("Tabs")
	case "Tags":
		return v.MethodByName("Tags")
	case "Text":
		return v.MethodByName("Text")
	case "TimeZone":
		return v.MethodByName("TimeZone")
	case "Title":
		return v.MethodByName("Title")
	case "To":
		return v.MethodByName("To")
	case "Total":
		return v.MethodByName("Total")
	case "URL":
		return v.MethodByName("URL")
	case "Unhappy":
		return v.MethodByName("Unhappy")
	case "UnsubscribeLabel":
		return v.MethodByName("UnsubscribeLabel")
	case "UnsubscribeURL":
		return v.MethodByName("UnsubscribeURL")
	case "Unsubscribed":
		return v.MethodByName("Unsubscribed")
	case "V":
		return v.MethodByName("V")
	case "Value":
		return v.MethodByName("Value")
	case "Version":
		return v.MethodByName("Version")
	case "Why":
		return v.MethodByName("Why")
	case "YesURL":
		return v.MethodByName("YesURL")
	}
	return reflect.Value{}
}
