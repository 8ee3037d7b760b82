# SPDX-License-Identifier: Apache-2.0
# bash completion for rbarrier(1)
_rbarrier() {
    local cur prev words cword
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local global="-u --url --password-file --user --prefix --connect-timeout --ttl
        --sentinel --master --tls --cacert --cacertdir --cert --key --sni --insecure
        --wait-replicas --termination-log -q --quiet -v --verbose --version -h --help"
    local commands="wait arrive await run reset abort status"
    local command= i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --) return 0 ;; # what follows is the command wait, await or run runs: not ours to complete
            wait|arrive|await|run|reset|abort|status) [ -z "$command" ] && command=${COMP_WORDS[i]} ;;
        esac
    done
    case $prev in
        --on-timeout) COMPREPLY=($(compgen -W "leave break" -- "$cur")); return 0 ;;
        --members) [[ $cur == @* ]] && COMPREPLY=($(compgen -P @ -f -- "${cur#@}")); return 0 ;;
        --password-file|--cacert|--cert|--key|--termination-log)
            COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
        --cacertdir) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
        -u|--url|--user|--prefix|--connect-timeout|--ttl|--sentinel|--master|--sni|\
        --wait-replicas|-n|--parties|-t|--timeout|--id|--lease|--reason|--generation|--data|--grace)
            return 0 ;;
    esac
    local options
    case $command in
        wait) options="-n --parties -t --timeout --id --lease --on-timeout --once --members --data --json" ;;
        arrive) options="-n --parties --id --once --members --data --json" ;;
        await) options="-t --timeout --generation --json" ;;
        run) options="-n --parties -t --timeout --id --lease --enter --grace --let-finish --members --data --json" ;;
        abort) options="--reason" ;;
        status) options="--json -w --watch" ;;
        reset) options="" ;;
        "") COMPREPLY=($(compgen -W "$commands $global" -- "$cur")); return 0 ;;
    esac
    COMPREPLY=($(compgen -W "$options $global" -- "$cur"))
}
complete -F _rbarrier rbarrier
