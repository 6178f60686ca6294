package dburl

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// secret is a password distinctive enough to search every output for.
const secret = "s3cr3t-XYZ"

// TestRedactForms holds one case for each form a password is given in; each want is what
// Redact shows.
func TestRedactForms(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"postgres userinfo", "postgres://u:s3cr3t-XYZ@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres query", "postgres://u@h/db?sslmode=disable&password=s3cr3t-XYZ", "postgres://u@h/db?sslmode=disable&password=xxxxx"},
		{"postgres query first", "postgres://u@h/db?password=s3cr3t-XYZ&sslmode=disable", "postgres://u@h/db?password=xxxxx&sslmode=disable"},
		{"query key in upper case", "postgresql://h/db?PassWord=s3cr3t-XYZ", "postgresql://h/db?PassWord=xxxxx"},
		{"query key percent-encoded", "postgres://h/db?pass%77ord=s3cr3t-XYZ", "postgres://h/db?pass%77ord=xxxxx"},
		{"sslpassword", "postgres://h/db?sslkey=/k.pem&sslpassword=s3cr3t-XYZ", "postgres://h/db?sslkey=/k.pem&sslpassword=xxxxx"},
		{"query and userinfo", "postgres://u:s3cr3t-XYZ@h/db?password=s3cr3t-XYZ", "postgres://u:xxxxx@h/db?password=xxxxx"},
		{"query value with hash", "postgres://h/db?password=s3cr#3t-XYZ", "postgres://h/db?password=xxxxx"},
		{"mysql userinfo", "mysql://root:s3cr3t-XYZ@h:3306/db", "mysql://root:xxxxx@h:3306/db"},
		{"mysql query", "mysql://root@h:3306/db?password=s3cr3t-XYZ&tls=true", "mysql://root@h:3306/db?password=xxxxx&tls=true"},
		{"key=value", "host=h port=5432 user=u password=s3cr3t-XYZ dbname=d", "host=h port=5432 user=u password=xxxxx dbname=d"},
		{"key=value first", "password=s3cr3t-XYZ host=h", "password=xxxxx host=h"},
		{"key=value quoted", "host=h password='s3cr3t XYZ' dbname=d", "host=h password='xxxxx' dbname=d"},
		{"key=value quoted with escapes", `host=h password = 's3cr\'3t \\ XYZ' dbname=d`, `host=h password = 'xxxxx' dbname=d`},
		{"key=value upper case", "HOST=h PASSWORD=s3cr3t-XYZ", "HOST=h PASSWORD=xxxxx"},
		{"key=value sslpassword", "host=h sslpassword=s3cr3t-XYZ", "host=h sslpassword=xxxxx"},
		{"mysql dsn tcp", "root:s3cr3t-XYZ@tcp(127.0.0.1:3306)/db?parseTime=true", "root:xxxxx@tcp(127.0.0.1:3306)/db?parseTime=true"},
		{"mysql dsn unix", "root:s3:cr@t@unix(/run/mysqld.sock)/db", "root:xxxxx@unix(/run/mysqld.sock)/db"},
		{"mysql dsn default address", "root:s3cr3t-XYZ@/db", "root:xxxxx@/db"},
		{"redis password only", "redis://:s3cr3t-XYZ@h:6379/0", "redis://:xxxxx@h:6379/0"},
		{"rediss user and password", "rediss://user:s3cr3t-XYZ@h:6380/1?prefix=p", "rediss://user:xxxxx@h:6380/1?prefix=p"},
		{"redis query", "redis://h:6379/0?password=s3cr3t-XYZ&prefix=p", "redis://h:6379/0?password=xxxxx&prefix=p"},
		{"malformed: slash in password", "postgres://u:s3cr/3t@host/db", "postgres://u:xxxxx@host/db"},
		{"malformed: blank in password", "postgres://u:s3cr 3t@host/db", "postgres://u:xxxxx@host/db"},
		{"malformed: bad port, query password", "postgres://u@host:99x/db?password=s3cr3t-XYZ", "postgres://u@host:99x/db?password=xxxxx"},

		// Nothing to hide.
		{"no password", "postgres://u@h/db?sslmode=disable", "postgres://u@h/db?sslmode=disable"},
		{"empty query password", "redis://h/0?password=", "redis://h/0?password="},
		{"key=value without password", "host=h dbname=d passfile=/p sslkey=/k", "host=h dbname=d passfile=/p sslkey=/k"},
		{"a key ending in password", "host=h mypassword=1", "host=h mypassword=1"},
		{"mysql dsn without password", "root@tcp(h:3306)/db", "root@tcp(h:3306)/db"},
		{"sqlite", "sqlite:///var/lib/app.db", "sqlite:///var/lib/app.db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := Redact(Redact(tc.in)); got != tc.want {
				t.Errorf("Redact twice = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestScrub(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{
			name: "connection error quoting a URL with a query password",
			in:   "connect to postgres://u@h:1/db?sslmode=disable&password=s3cr3t-XYZ: dial tcp h:1: connection refused",
			want: "connect to postgres://u@h:1/db?sslmode=disable&password=xxxxx dial tcp h:1: connection refused",
		},
		{
			name: "two URLs in one message",
			in:   "copy from postgres://a:s3cr3t-ONE@h1/db to mysql://b:s3cr3t-TWO@h2/db: done at a@b",
			want: "copy from postgres://a:xxxxx@h1/db to mysql://b:xxxxx@h2/db: done at a@b",
		},
		{
			name: "quoted URL",
			in:   `dburl: "redis://:s3cr3t-XYZ@h:x/0" is not a valid URL`,
			want: `dburl: "redis://:xxxxx@h:x/0" is not a valid URL`,
		},
		{
			name: "key=value string in a message",
			in:   `open "host=h password='s3cr3t XYZ' dbname=d": bad`,
			want: `open "host=h password='xxxxx' dbname=d": bad`,
		},
		{
			name: "go-sql-driver DSN in a message",
			in:   `invalid DSN "root:s3cr3t-XYZ@tcp(h:1)/x": missing slash`,
			want: `invalid DSN "root:xxxxx@tcp(h:1)/x": missing slash`,
		},
		{
			name:    "a server that echoes the password",
			in:      "Error 1064 (42000): You have an error in your SQL syntax near 's3cr3t-XYZ' at line 1",
			secrets: []string{secret},
			want:    "Error 1064 (42000): You have an error in your SQL syntax near 'xxxxx' at line 1",
		},
		{
			name:    "longest secret first",
			in:      "s3cr3t-XYZ-and-more and s3cr3t-XYZ",
			secrets: []string{secret, secret + "-and-more", secret},
			want:    "xxxxx and xxxxx",
		},
		{
			name:    "short secrets only in their forms",
			in:      "pw: mysql://u:pw@h/db?password=pw (pw)",
			secrets: []string{"pw"},
			want:    "pw: mysql://u:xxxxx@h/db?password=xxxxx (pw)",
		},
		{
			name: "text without passwords",
			in:   "check that the server is running and the URL, user and password are right: user=u database=d 127.0.0.1:5432",
			want: "check that the server is running and the URL, user and password are right: user=u database=d 127.0.0.1:5432",
		},
		{
			name: "a hint with the word password in a URL",
			in:   "write postgres://user:password@host:port/database or user:password@tcp(host)/db",
			want: "write postgres://user:password@host:port/database or user:password@tcp(host)/db",
		},
		{
			name:    "the word password as the password",
			in:      "connect to postgres://u:password@h/db: user and password",
			secrets: []string{"password"},
			want:    "connect to postgres://u:xxxxx@h/db: user and xxxxx",
		},
		{
			name: "already scrubbed",
			in:   "connect to postgres://u:xxxxx@h/db?password=xxxxx: password=xxxxx, password='xxxxx' root:xxxxx@tcp(h)/d",
			want: "connect to postgres://u:xxxxx@h/db?password=xxxxx: password=xxxxx, password='xxxxx' root:xxxxx@tcp(h)/d",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Scrub(tc.in, tc.secrets...)
			if got != tc.want {
				t.Errorf("Scrub(%q) =\n  %q\nwant\n  %q", tc.in, got, tc.want)
			}
			if again := Scrub(got, tc.secrets...); again != got {
				t.Errorf("Scrub is not idempotent: %q, then %q", got, again)
			}
		})
	}
}

func TestPasswords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"userinfo escaped", "postgres://u:p%40ss%2Fw@h/db", []string{"p%40ss%2Fw", "p@ss/w", "p@ss%2Fw"}},
		{"query", "postgres://h/db?password=a%20b&sslpassword=k3y", []string{"a%20b", "a b", "a+b", "k3y"}},
		{"key=value quoted", `host=h password='it\'s' user=u`, []string{`it\'s`, "it's", "it%27s"}},
		{"key=value plain", "host=h password=s3cr3t-XYZ", []string{secret}},
		{"mysql dsn", "root:s3cr3t-XYZ@tcp(h)/db", []string{secret}},
		{"redis", "rediss://:s3cr3t-XYZ@h/0?password=s3cr3t-XYZ", []string{secret}},
		{"malformed url", "postgres://u:top/secret@host/db", []string{"top/secret", "top%2Fsecret"}},
		{"none", "postgres://u@h/db?sslmode=disable", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Passwords(tc.in)); diff != "" {
				t.Errorf("Passwords(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// TestParseHidesPasswords checks every form through Parse: its Redacted form and its errors
// never show the password, and a MySQL URL's ?password= becomes the connection's password.
func TestParseHidesPasswords(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		redacted string // "" when Parse must fail
		dsn      string
		errWant  string // a substring of the error
	}{
		{name: "postgres query", raw: "postgres://u@h/db?password=s3cr3t-XYZ&sslmode=disable",
			redacted: "postgres://u@h/db?password=xxxxx&sslmode=disable", dsn: "postgres://u@h/db?password=s3cr3t-XYZ&sslmode=disable"},
		{name: "postgres sslpassword", raw: "postgres://u:s3cr3t-XYZ@h/db?sslpassword=s3cr3t-XYZ",
			redacted: "postgres://u:xxxxx@h/db?sslpassword=xxxxx", dsn: "postgres://u:s3cr3t-XYZ@h/db?sslpassword=s3cr3t-XYZ"},
		{name: "mysql query password is the password", raw: "mysql://app@h:3306/db?password=s3cr3t-XYZ&tls=true",
			redacted: "mysql://app@h:3306/db?password=xxxxx&tls=true", dsn: "app:s3cr3t-XYZ@tcp(h:3306)/db?multiStatements=false&parseTime=true&tls=true"},
		{name: "mysql query password, escaped", raw: "mysql://app@h/db?Password=s3%26cr3t",
			redacted: "mysql://app@h/db?Password=xxxxx", dsn: "app:s3&cr3t@tcp(h:3306)/db?multiStatements=false&parseTime=true"},
		{name: "mysql password twice", raw: "mysql://app:s3cr3t-XYZ@h/db?password=s3cr3t-XYZ", errWant: "the password is given twice"},
		{name: "key=value string", raw: "host=h user=u password=s3cr3t-XYZ dbname=d", errWant: "key=value connection string"},
		{name: "key=value string quoted", raw: "host=h password='s3cr3t XYZ'", errWant: "key=value connection string"},
		{name: "go-sql-driver DSN", raw: "root:s3cr3t-XYZ@tcp(h:3306)/db", errWant: "go-sql-driver DSN"},
		{name: "bad port, query password", raw: "postgres://u@h:99x/db?password=s3cr3t-XYZ", errWant: "not a valid URL"},
		{name: "bad mysql URL, query password", raw: "mysql://u@ho st/db?password=s3cr3t-XYZ", errWant: "not a valid URL"},
		{name: "mysql slash in db, query password", raw: "mysql://u@h/a/b?password=s3cr3t-XYZ", errWant: "contains a slash"},
		{name: "unknown scheme, query password", raw: "oracle://h/db?password=s3cr3t-XYZ", errWant: `scheme "oracle"`},
		{name: "unknown scheme, userinfo", raw: "redis://:s3cr3t-XYZ@h:6379/0", errWant: `scheme "redis"`},
		{name: "sqlite bad query", raw: "sqlite://x.db?password=s3cr3t-XYZ%zz", errWant: "bad query parameters"},
		{name: "blank in the password", raw: "postgres://u:s3cr3t XYZ@h/db", errWant: "not a valid URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.raw, "/base")
			if tc.redacted == "" {
				if err == nil {
					t.Fatalf("Parse(%q) succeeded, want an error", tc.raw)
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.errWant) {
					t.Errorf("error %q does not contain %q", msg, tc.errWant)
				}
				for _, s := range []string{secret, "s3cr3t", "XYZ"} {
					if strings.Contains(msg, s) {
						t.Errorf("error %q shows the password (%q)", msg, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.raw, err)
			}
			if got.Redacted != tc.redacted {
				t.Errorf("Redacted = %q, want %q", got.Redacted, tc.redacted)
			}
			if got.DSN != tc.dsn {
				t.Errorf("DSN = %q, want %q", got.DSN, tc.dsn)
			}
		})
	}
}

func TestParseErrorsStillUnsupported(t *testing.T) {
	for _, raw := range []string{"host=h password=s3cr3t-XYZ", "root:s3cr3t-XYZ@tcp(h)/db"} {
		if _, err := Parse(raw, ""); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Parse(%q) = %v, want ErrUnsupported", raw, err)
		}
	}
}

// FuzzRedact builds each form around a fuzzed password and checks that Redact and Scrub hide
// it, and that Parse never shows it.
func FuzzRedact(f *testing.F) {
	f.Add("s3cr3t-XYZ")
	f.Add("a b c d")
	f.Add("p@ss/w:rd?x")
	f.Add(`it\'s'`)
	f.Fuzz(func(t *testing.T, pw string) {
		if len(pw) < 6 || strings.ContainsAny(pw, "\x00\r\n\t'\\&=%") || strings.Contains(pw, "xxxxx") || strings.TrimSpace(pw) != pw {
			return
		}
		// Each form, with %s for the password.
		forms := []string{
			"postgres://u@h/db?password=%s",
			"mysql://u@h/db?sslpassword=%s",
			"host=h password='%s' dbname=d",
			"postgres://u:%s@h/db",
			"redis://:%s@h:6379/0",
		}
		if !strings.ContainsAny(pw, " ") {
			forms = append(forms, "host=h password=%s dbname=d", "u:%s@tcp(h:3306)/db")
		}
		for _, tmpl := range forms {
			if strings.Contains("connect to "+tmpl+": failed xxxxx", pw) {
				continue // the password is not distinguishable from the rest of the form
			}
			value := pw
			if strings.Contains(tmpl, "?") {
				value = strings.ReplaceAll(pw, " ", "+")
			}
			form := strings.Replace(tmpl, "%s", value, 1)
			if r := Redact(form); strings.Contains(r, pw) {
				t.Fatalf("Redact(%q) = %q", form, r)
			}
			if r := Scrub("connect to "+form+": failed", Passwords(form)...); strings.Contains(r, pw) {
				t.Fatalf("Scrub(%q) = %q", form, r)
			}
			if u, err := Parse(form, "/base"); err != nil && strings.Contains(err.Error(), pw) {
				t.Fatalf("Parse(%q) error %q", form, err)
			} else if err == nil && strings.Contains(u.Redacted, pw) {
				t.Fatalf("Parse(%q).Redacted = %q", form, u.Redacted)
			}
		}
	})
}

func TestExpand(t *testing.T) {
	var learnt []string
	learn := func(u string) { learnt = append(learnt, u) }
	expand := func(s string) (string, error) { return strings.ReplaceAll(s, "${PW}", "s3cret"), nil }
	got, err := Expand("postgres://u:${PW}@h/db", expand, learn)
	if err != nil || got != "postgres://u:s3cret@h/db" {
		t.Fatalf("Expand = %q, %v", got, err)
	}
	if len(learnt) != 1 || learnt[0] != got {
		t.Errorf("learn was told %q, want the expanded URL once", learnt)
	}
	if got, err := Expand("sqlite://${X}", nil, nil); err != nil || got != "sqlite://${X}" {
		t.Errorf("Expand without expand = %q, %v; want the URL as written", got, err)
	}
	failed := errors.New("unset")
	learnt = nil
	if _, err := Expand("x", func(string) (string, error) { return "", failed }, learn); !errors.Is(err, failed) || len(learnt) != 0 {
		t.Errorf("Expand with a failing expand = %v (learnt %q), want its error and nothing learnt", err, learnt)
	}
}
