package teleportconfig

// Stand-ins that keep state, for the certificate scenarios: an S3 bucket in
// a directory, the DynamoDB lock, and a certbot that issues real (self-
// signed) certificates into its --config-dir.

// fakeAWS answers like the AWS CLI against the sandbox's fake S3
// ($STUB_STATE/s3/<bucket>/<key>) and lock table. extra is a case arm list
// (bash) tried first. A put of key K fails while $STUB_STATE/fail-put-K
// exists (K with / as _); a get of K fails while $STUB_STATE/fail-get-K
// exists, and every listing while $STUB_STATE/fail-list exists, each with
// that file's content as the CLI's error.
func fakeAWS(extra string) string {
	return `args="$*"
case "${args}" in
` + extra + `
esac
case "$1 $2" in
"s3 cp")
  src= dst=
  for a in "$@"; do case "$a" in s3://*|/*) if [ -z "${src}" ]; then src=$a; else dst=$a; fi ;; esac; done
  if [[ "${src}" == s3://* ]]; then
    f="${STUB_STATE}/s3/${src#s3://}"
    key=${src#s3://*/}
    [ ! -e "${STUB_STATE}/fail-get-${key//\//_}" ] || { cat "${STUB_STATE}/fail-get-${key//\//_}" >&2; exit 1; }
    [ -f "${f}" ] || { echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key \"${src#s3://*/}\" does not exist" >&2; exit 1; }
    cp "${f}" "${dst}"
  else
    key=${dst#s3://*/}
    [ ! -e "${STUB_STATE}/fail-put-${key//\//_}" ] || { echo "upload failed: An error occurred (AccessDenied) when calling the PutObject operation" >&2; exit 1; }
    mkdir -p "$(dirname "${STUB_STATE}/s3/${dst#s3://}")"
    cp "${src}" "${STUB_STATE}/s3/${dst#s3://}"
  fi ;;
"s3api list-objects-v2")
  [ ! -e "${STUB_STATE}/fail-list" ] || { cat "${STUB_STATE}/fail-list" >&2; exit 254; }
  bucket= prefix=
  while [ $# -gt 0 ]; do case "$1" in --bucket) bucket=$2; shift ;; --prefix) prefix=$2; shift ;; esac; shift; done
  keys=()
  if [ -d "${STUB_STATE}/s3/${bucket}" ]; then
    while IFS= read -r k; do [[ "${k}" == "${prefix}"* ]] && keys+=("${k}"); done < <(cd "${STUB_STATE}/s3/${bucket}" && find . -type f | sed 's|^\./||' | sort)
  fi
  if [ "${#keys[@]}" -eq 0 ]; then echo None; else (IFS=$'\t'; echo "${keys[*]}"); fi ;;
"dynamodb put-item")
  case "${args}" in
  *'"certbot"'*)
    if [ -e "${STUB_STATE}/lock" ] && [ "$(cat "${STUB_STATE}/lock")" -gt "$(clock)" ]; then
      echo "An error occurred (ConditionalCheckFailedException) when calling the PutItem operation: The conditional request failed" >&2; exit 254
    fi
    echo $(( $(clock) + 1200 )) >"${STUB_STATE}/lock" ;;
  esac ;;
"dynamodb delete-item") rm -f "${STUB_STATE}/lock" ;;
esac
exit 0`
}

// fakeCertbot issues a 90-day certificate for its --cert-name into
// --config-dir the way certbot lays it out, registering an account first
// when the directory has none; with an existing lineage it renews only
// within 30 days of expiry (--keep-until-expiring). It fails while
// $STUB_STATE/certbot-fails exists.
const fakeCertbot = `[ "$1" = --version ] && { echo "certbot 4.1.1"; exit 0; }
config= 
while [ $# -gt 0 ]; do case "$1" in --config-dir) config=$2; shift ;; esac; shift; done
[ ! -e "${STUB_STATE}/certbot-fails" ] || { echo "certbot: DNS problem: NXDOMAIN looking up TXT" >&2; exit 1; }
live="${config}/live/teleport"
if [ -z "$(ls -A "${config}/accounts" 2>/dev/null)" ]; then
  mkdir -p "${config}/accounts/acme-v02.api.letsencrypt.org/directory/abc"
  echo "certbot register" >>"${STUB_STATE}/calls"
fi
if [ -f "${live}/fullchain.pem" ]; then
  end=$(openssl x509 -enddate -noout -in "${live}/fullchain.pem" | cut -d= -f2)
  if [ $(( ($(/usr/bin/date -d "${end}" +%s) - $(/usr/bin/date +%s)) / 86400 )) -gt 30 ]; then
    echo "Certificate not yet due for renewal; no action taken."; exit 0
  fi
fi
mkdir -p "${live}" "${config}/renewal"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 90 -subj "/CN=issued" \
  -keyout "${live}/privkey.pem" -out "${live}/fullchain.pem" 2>/dev/null
echo "renew_before_expiry = 30 days" >"${config}/renewal/teleport.conf"
echo "certbot issued" >>"${STUB_STATE}/calls"`
