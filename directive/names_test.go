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
	exported := Names("HTTPClient", &Options{})
	if exported.Getter != "GetHTTPClient" || exported.Manager != "HTTPClientManager" || exported.NewManager != "NewHTTPClientManager" ||
		exported.Instance != "GetHTTPClientManager" || exported.MustGetter != "MustGetHTTPClient" || exported.State != "httpClientState" ||
		exported.SetForTest != "SetHTTPClientForTest" || exported.Conflict != "ErrHTTPClientConflict" || exported.Default != "defaultHTTPClientManager" {
		t.Errorf("names of HTTPClient = %+v", exported)
	}
	unexported := Names("httpClient", &Options{})
	if unexported.Getter != "getHTTPClient" || unexported.Manager != "httpClientManager" || unexported.NewManager != "newHTTPClientManager" ||
		unexported.MustGetter != "mustGetHTTPClient" || unexported.ResetForTest != "resetHTTPClientForTest" || unexported.Conflict != "errHTTPClientConflict" {
		t.Errorf("names of httpClient = %+v", unexported)
	}
	renamed := Names("DB", &Options{Getter: "Instance", Manager: "Pool", Instance: "GetInstance"})
	if renamed.Getter != "Instance" || renamed.MustGetter != "MustInstance" || renamed.Manager != "Pool" ||
		renamed.NewManager != "NewPool" || renamed.Instance != "GetInstance" || renamed.Default != "defaultPool" {
		t.Errorf("names of DB with options = %+v", renamed)
	}
}
