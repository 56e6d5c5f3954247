package main

import (
	"os"
	"testing"
)

func TestSetFrameworkLogLevel(t *testing.T) {
	cases := map[string]struct {
		env  map[string]string
		want string
	}{
		"nothing set: off":          {env: map[string]string{}, want: "off"},
		"TF_LOG applies":            {env: map[string]string{"TF_LOG": "DEBUG"}, want: "DEBUG"},
		"TF_LOG_PROVIDER wins":      {env: map[string]string{"TF_LOG": "DEBUG", "TF_LOG_PROVIDER": "TRACE"}, want: "TRACE"},
		"TF_LOG_SDK wins":           {env: map[string]string{"TF_LOG": "DEBUG", "TF_LOG_SDK": "WARN"}, want: "WARN"},
		"an explicit level is kept": {env: map[string]string{"TF_LOG": "DEBUG", frameworkLogLevelEnv: "ERROR"}, want: "ERROR"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, k := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", frameworkLogLevelEnv} {
				t.Setenv(k, tc.env[k])
			}
			setFrameworkLogLevel()
			if got := os.Getenv(frameworkLogLevelEnv); got != tc.want {
				t.Errorf("%s = %q, want %q", frameworkLogLevelEnv, got, tc.want)
			}
		})
	}
}
