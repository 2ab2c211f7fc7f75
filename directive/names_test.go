package directive

import "testing"

func TestCaseOfFirstWord(t *testing.T) {
	for _, tt := range []struct{ name, lower, upper string }{
		{"Client", "client", "Client"},
		{"client", "client", "Client"},
		{"HTTPClient", "httpClient", "HTTPClient"},
		{"httpClient", "httpClient", "HTTPClient"},
		{"ID", "id", "ID"},
		{"id", "id", "ID"},
		{"URLParser", "urlParser", "URLParser"},
		{"X", "x", "X"},
		{"DB2", "db2", "DB2"},
		{"Élan", "élan", "Élan"},
	} {
		if got := lowerFirst(tt.name); got != tt.lower {
			t.Errorf("lowerFirst(%q) = %q, want %q", tt.name, got, tt.lower)
		}
		if got := upperFirst(tt.lower); got != tt.upper {
			t.Errorf("upperFirst(%q) = %q, want %q", tt.lower, got, tt.upper)
		}
	}
}

func TestDeriveNamesFollowExportedness(t *testing.T) {
	exported := Names("HTTPClient", true, &Options{})
	if exported.Getter != "GetHTTPClient" || exported.Manager != "HTTPClientManager" || exported.NewManager != "NewHTTPClientManager" ||
		exported.Instance != "GetHTTPClientManager" || exported.MustGetter != "MustGetHTTPClient" || exported.State != "httpClientState" ||
		exported.SetForTest != "SetHTTPClientForTest" || exported.Conflict != "ErrHTTPClientConflict" || exported.Default != "defaultHTTPClientManager" {
		t.Errorf("names of HTTPClient = %+v", exported)
	}
	unexported := Names("httpClient", false, &Options{})
	if unexported.Getter != "getHTTPClient" || unexported.Manager != "httpClientManager" || unexported.NewManager != "newHTTPClientManager" ||
		unexported.MustGetter != "mustGetHTTPClient" || unexported.ResetForTest != "resetHTTPClientForTest" || unexported.Conflict != "errHTTPClientConflict" {
		t.Errorf("names of httpClient = %+v", unexported)
	}
	renamed := Names("DB", true, &Options{Getter: "Instance", Manager: "Pool", Instance: "GetInstance"})
	if renamed.Getter != "Instance" || renamed.MustGetter != "MustInstance" || renamed.Manager != "Pool" ||
		renamed.NewManager != "NewPool" || renamed.Instance != "GetInstance" || renamed.Default != "defaultPool" {
		t.Errorf("names of DB with options = %+v", renamed)
	}
}

func TestStem(t *testing.T) {
	for _, tt := range []struct {
		decl     string
		isFunc   bool
		name     string // the name= option
		stem     string
		exported bool
		ok       bool
	}{
		{decl: "Client", stem: "Client", exported: true, ok: true},
		{decl: "client", stem: "client", ok: true},
		{decl: "Manager", name: "Registry", stem: "Registry", exported: true, ok: true},
		{decl: "NewDB", isFunc: true, stem: "DB", exported: true, ok: true},
		{decl: "newDB", isFunc: true, stem: "DB", ok: true},
		{decl: "NewHTTPClient", isFunc: true, stem: "HTTPClient", exported: true, ok: true},
		{decl: "openCache", isFunc: true, name: "Cache", stem: "Cache", ok: true},
		{decl: "OpenDB", isFunc: true, exported: true},
		{decl: "Newsletter", isFunc: true, exported: true},
		{decl: "New", isFunc: true, exported: true},
		{decl: "new", isFunc: true},
	} {
		stem, exported, ok := Stem(tt.decl, tt.isFunc, &Options{Name: tt.name})
		if stem != tt.stem || exported != tt.exported || ok != tt.ok {
			t.Errorf("Stem(%q, %v, name=%q) = %q, %v, %v; want %q, %v, %v", tt.decl, tt.isFunc, tt.name, stem, exported, ok, tt.stem, tt.exported, tt.ok)
		}
	}
}

func TestNamesOfFunctionStems(t *testing.T) {
	db := Names("DB", false, &Options{})
	if db.Getter != "getDB" || db.Manager != "dbManager" || db.Instance != "getDBManager" || db.Args != "dbArgs" || db.Default != "defaultDBManager" {
		t.Errorf("names of unexported stem DB = %+v", db)
	}
	cache := Names("Cache", false, &Options{Name: "Cache"})
	if cache.Manager != "cacheManager" || cache.Instance != "getCacheManager" || cache.Getter != "getCache" || cache.SetForTest != "setCacheForTest" {
		t.Errorf("names of name=Cache on an unexported function = %+v", cache)
	}
}

func TestSameStem(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"Client", "Client", true},
		{"Client", "client", true},
		{"HTTPClient", "httpClient", true},
		{"DB", "db", true},
		{"Client", "Clients", false},
		{"Client", "CLIENT", true}, // both give clientState
		{"clientA", "clienta", false},
	} {
		if got := SameStem(tt.a, tt.b); got != tt.want {
			t.Errorf("SameStem(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
