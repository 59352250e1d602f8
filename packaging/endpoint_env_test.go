package packaging_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/connectmail/connectmail/server/servertest"
)

// TestEndpointEnvironment is the README's table of environment variables
// that point an AWS client at connectmail with no endpoint in code or on the
// command line: for each client here and each variable, a create call made
// with only that variable set must reach connectmail. This machine has no
// route to AWS, so a client that ignored the variable fails.
func TestEndpointEnvironment(t *testing.T) {
	srv := servertest.Start(t, servertest.Config(t))
	cases := []struct {
		client, variable, service string
	}{
		{"go", "AWS_ENDPOINT_URL", "connect"},
		{"go", "AWS_ENDPOINT_URL_CONNECT", "connect"},
		{"aws", "AWS_ENDPOINT_URL", "connect"},
		{"aws", "AWS_ENDPOINT_URL", "qconnect"},
		{"aws", "AWS_ENDPOINT_URL_CONNECT", "connect"},
		{"aws", "AWS_ENDPOINT_URL_QCONNECT", "qconnect"},
		{"js", "AWS_ENDPOINT_URL", "connect"},
		{"js", "AWS_ENDPOINT_URL", "qconnect"},
		{"js", "AWS_ENDPOINT_URL_CONNECT", "connect"},
		{"js", "AWS_ENDPOINT_URL_QCONNECT", "qconnect"},
	}
	for _, c := range cases {
		t.Run(c.client+"/"+c.variable+"/"+c.service, func(t *testing.T) {
			env := map[string]string{c.variable: srv.URL}
			switch c.client {
			case "go":
				client := sdkFromEnvironment(t, env)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if _, err := client.CreateInstance(ctx, &connect.CreateInstanceInput{
					IdentityManagementType: types.DirectoryTypeConnectManaged, InstanceAlias: aws.String(uniqueName("env")),
					InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true),
				}); err != nil {
					t.Fatalf("CreateInstance with only %s: %v", c.variable, err)
				}
			case "aws":
				awsCLI(t, env, c.service)
			case "js":
				jsSDK(t, env, c.service)
			}
		})
	}
}

// clientEnv is the environment of a client process: the test/test key,
// none of the machine's own AWS configuration, plus env.
func clientEnv(t *testing.T, env map[string]string) []string {
	dir := t.TempDir()
	out := []string{"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_PAGER=", "AWS_MAX_ATTEMPTS=1", "AWS_EC2_METADATA_DISABLED=true"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// awsCLI makes one create call with the aws CLI.
func awsCLI(t *testing.T, env map[string]string, service string) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the aws CLI is not installed")
	}
	args := map[string][]string{
		"connect": {"connect", "create-instance", "--identity-management-type", "CONNECT_MANAGED",
			"--instance-alias", uniqueName("env"), "--inbound-calls-enabled", "--outbound-calls-enabled"},
		"qconnect": {"qconnect", "create-knowledge-base", "--name", uniqueName("env"), "--knowledge-base-type", "MESSAGE_TEMPLATES"},
	}[service]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(args, "--cli-connect-timeout", "5", "--output", "json")...)
	cmd.Env = clientEnv(t, env)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"arn:aws:`) {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args[:2], " "), err, out)
	}
}

// jsSDK makes one create call with the AWS SDK for JavaScript v3
// (clients/js/node_modules, which scripts/testenv.sh installs).
func jsSDK(t *testing.T, env map[string]string, service string) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	if _, err := os.Stat("../clients/js/node_modules/@aws-sdk/client-" + service); err != nil {
		t.Skipf("@aws-sdk/client-%s is not installed (npm ci in clients/js)", service)
	}
	script := map[string]string{
		"connect": `import {ConnectClient, CreateInstanceCommand} from "@aws-sdk/client-connect";
const out = await new ConnectClient({}).send(new CreateInstanceCommand({IdentityManagementType: "CONNECT_MANAGED",
  InstanceAlias: "env" + Date.now(), InboundCallsEnabled: true, OutboundCallsEnabled: true}));
console.log(out.Arn);`,
		"qconnect": `import {QConnectClient, CreateKnowledgeBaseCommand} from "@aws-sdk/client-qconnect";
const out = await new QConnectClient({}).send(new CreateKnowledgeBaseCommand({name: "env" + Date.now(), knowledgeBaseType: "MESSAGE_TEMPLATES"}));
console.log(out.knowledgeBase.knowledgeBaseArn);`,
	}[service]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--input-type=module", "-e", script)
	cmd.Dir = "../clients/js"
	cmd.Env = clientEnv(t, env)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "arn:aws:") {
		t.Fatalf("node (%s): %v\n%s%s", service, err, out, stderr.String())
	}
}
