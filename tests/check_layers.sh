#!/bin/sh
# check_layers.sh [SRCDIR]: every layer of harness/ (and reports/) includes only
# the layers below it, and the pure layers (codec, judge) no system I/O header.
# Run by ctest ("layers"); prints each offending include with file and line.
#
#   base      -> (nothing)
#   codec     -> base                                  pure: bytes in, bytes out
#   model     -> base codec
#   load      -> base codec model                      case files to the model
#   net       -> base codec                            sockets, TLS, processes
#   judge     -> base codec model                      pure: transcript to verdict
#   run       -> base codec model net judge            model to transcript
#   refserver -> base codec net                        never run, load or judge
#   fuzz      -> base codec model load net judge run     network fuzzer: mutants, oracle
#   reports   -> base codec model judge run reports
#   cli       -> everything
cd "${1:-.}" || exit 2
allowed() {
    case $1 in
    base) echo "base" ;;
    codec) echo "base codec" ;;
    model) echo "base codec model" ;;
    load) echo "base codec model load" ;;
    net) echo "base codec net" ;;
    judge) echo "base codec model judge" ;;
    run) echo "base codec model net judge run" ;;
    refserver) echo "base codec net refserver" ;;
    fuzz) echo "base codec model load net judge run fuzz" ;;
    reports) echo "base codec model judge run reports" ;;
    cli) echo "base codec model load net judge run refserver fuzz reports cli" ;;
    *) echo "" ;;
    esac
}
layers="base codec model load net judge run refserver fuzz reports cli"
bad=0
for file in $(find harness reports -name '*.[ch]' | sort); do
    case $file in
    reports/*) layer=reports ;;
    harness/*/*) layer=$(echo "$file" | cut -d/ -f2) ;;
    *) echo "$file: source outside a layer folder"; bad=1; continue ;;
    esac
    ok=$(allowed "$layer")
    if [ -z "$ok" ]; then
        echo "$file: unknown layer '$layer'"; bad=1; continue
    fi
    out=$(grep -n '^#include "' "$file" | while IFS= read -r line; do
        inc=$(echo "$line" | sed 's/^[0-9]*:#include "\([^"]*\)".*/\1/')
        num=${line%%:*}
        dep=${inc%%/*}
        if [ "$dep" = "$inc" ]; then
            echo "$file:$num: #include \"$inc\" does not name its layer"
            continue
        fi
        case " $layers " in *" $dep "*) ;; *) continue ;; esac
        case " $ok " in
        *" $dep "*) ;;
        *) echo "$file:$num: layer '$layer' must not include \"$inc\" (allowed: $ok)" ;;
        esac
    done)
    if [ -n "$out" ]; then echo "$out"; bad=1; fi
    case $layer in
    codec|judge)
        io=$(grep -nE '^#include <(sys/socket|sys/epoll|netdb|netinet/[a-z]+|arpa/inet|poll|unistd|fcntl|pthread|openssl/ssl)\.h>' "$file")
        if [ -n "$io" ]; then
            echo "$io" | sed "s|^|$file:|;s|\$|  (the $layer layer is pure: no I/O)|"
            bad=1
        fi ;;
    esac
done
[ $bad -eq 0 ] && echo "layers: ok"
exit $bad
