#!/usr/bin/python3
"""Differential oracle: what Neutron's own code makes of security group rules.

Reads one JSON batch on stdin and prints one JSON answer on stdout. Run with the system interpreter
(/usr/bin/python3) where Debian's python3-neutron is installed.

Input:
    {"groups": [{"id": ..., "stateful": true, "rules": [<rule as the API takes it>]}],
     "known_group_ids": [...], "known_address_group_ids": [...]}

For every rule, in Neutron's order:
  1. the API layer's attribute conversion and validation
     (neutron_lib AttributeInfo.convert_values over securitygroup.RESOURCE_ATTRIBUTE_MAP),
  2. SecurityGroupDbMixin's create-time canonicalisation and validation
     (_make_canonical_ipv6_icmp_protocol, _make_canonical_port_range, _validate_port_range,
     _validate_ip_prefix, _validate_ethertype_and_protocol), the single-remote check, the remote
     existence checks and the duplicate check (_rule_to_key),
  3. normalized_cidr as the API shows it (SecurityGroupDbMixin._get_normalized_cidr_from_rule),
  4. the ACL the ML2/OVN driver writes: neutron.common.ovn.acl.add_acls_for_sg_port_group, with
     ovsdbapp's own PgAclAddCommand.run_idl executed against an in-memory port group, so
     ovsdbapp's may_exist de-duplication and its choice of columns to write are Neutron's, not ours.

What is stubbed, and why (nothing else is):
  * The OVSDB IDL and transaction. add_acls_for_sg_port_group wants an `ovn` API object with
    pg_acl_add() and a `txn` with add(); ours builds ovsdbapp's real PgAclAddCommand and runs its
    run_idl() against FakeIdlApi/FakeTxn/FakeRow below (in-memory rows, no server).
  * stateless_supported=True: in Neutron it is OVNClient.is_allow_stateless_supported(), which asks
    the live NB schema whether ACL.action accepts allow-stateless (every OVN since 21.06 does).
  * The single-remote check and the remote group/address group existence checks are written
    inline in SecurityGroupDbMixin._validate_security_group_rule next to database look-ups that
    cannot run here; they are restated below with Neutron's own exception classes.
  * No oslo.config option is read on this path: update_acls_for_security_group (which reads
    cfg.CONF.SECURITYGROUP.enable_security_group and _acl_columns_name_severity_supported) is not
    called; add_acls_for_sg_port_group, the path used when a group is created or synced, is.
"""

import copy
import json
import sys

from neutron_lib.api import attributes as api_attributes

from neutron.common.ovn import acl as ovn_acl
from neutron.common.ovn import constants as ovn_const
from neutron.common.ovn import utils as ovn_utils
from neutron.db import securitygroups_db
from neutron.extensions import securitygroup as ext_sg
from neutron_lib.exceptions import address_group as ag_exc
from ovsdbapp.schema.ovn_northbound import commands as nb_commands

RULE_ATTRIBUTES = api_attributes.AttributeInfo(
    ext_sg.RESOURCE_ATTRIBUTE_MAP[ext_sg.SECURITYGROUPRULES])


class FakeRow(object):
    _counter = 0

    def __init__(self):
        FakeRow._counter += 1
        self.uuid = FakeRow._counter
        self.external_ids = {}
        self.acls = []
        # Columns not written keep the NB schema default: an empty optional.
        self.name = None
        self.severity = None
        self.meter = None

    def setkey(self, column, key, value):
        getattr(self, column)[key] = value

    def addvalue(self, column, value):
        getattr(self, column).append(value)


class FakeTxn(object):
    def insert(self, table):
        return FakeRow()


class FakeIdlApi(object):
    """What PgAclAddCommand.run_idl touches of ovsdbapp's OvnNbApiIdlImpl."""

    def __init__(self):
        self.port_groups = {}
        self.tables = {'ACL': object()}

    def lookup(self, table, name):
        assert table == 'Port_Group'
        return self.port_groups.setdefault(name, FakeRow())

    def pg_acl_add(self, port_group, direction, priority, match, action,
                   log=False, may_exist=False, severity=None, name=None,
                   meter=None, **external_ids):
        return nb_commands.PgAclAddCommand(
            self, port_group, direction, priority, match, action, log=log,
            may_exist=may_exist, severity=severity, name=name, meter=meter,
            **external_ids)


class CollectingTxn(object):
    def __init__(self):
        self.commands = []

    def add(self, command):
        self.commands.append(command)
        return command


def acl_row(row):
    return {'direction': row.direction, 'priority': row.priority,
            'match': row.match, 'action': row.action, 'log': row.log,
            'name': row.name or None, 'severity': row.severity or None,
            'meter': row.meter or None,
            'external_ids': dict(row.external_ids)}


def run_port_group(api, pg_name, commands):
    txn = FakeTxn()
    for command in commands:
        command.run_idl(txn)
    return [acl_row(r) for r in api.lookup('Port_Group', pg_name).acls]


def convert(rule):
    """The API layer's converters and validators; the rule id is not part of a POST body."""
    body = {k: v for k, v in rule.items() if k != 'id'}
    RULE_ATTRIBUTES.convert_values(body, exc_cls=ValueError)
    rule.update(body)


def validate(db, rule, known_groups, known_address_groups):
    """Neutron's checks for one converted rule, in its order; raises the first failure."""
    db._make_canonical_ipv6_icmp_protocol(rule)
    db._make_canonical_port_range(rule)
    db._validate_port_range(rule)
    db._validate_ip_prefix(rule)
    db._validate_ethertype_and_protocol(rule)
    remote = None
    for key in ['remote_ip_prefix', 'remote_group_id', 'remote_address_group_id']:
        if remote and rule.get(key):
            raise ext_sg.SecurityGroupMultipleRemoteEntites()
        remote = rule.get(key) or remote
    if rule['remote_group_id'] and rule['remote_group_id'] not in known_groups:
        raise ext_sg.SecurityGroupNotFound(id=rule['remote_group_id'])
    if (rule['remote_address_group_id'] and
            rule['remote_address_group_id'] not in known_address_groups):
        raise ag_exc.AddressGroupNotFound(address_group_id=rule['remote_address_group_id'])


def main():
    batch = json.load(sys.stdin)
    db = securitygroups_db.SecurityGroupDbMixin()
    known_groups = set(batch.get('known_group_ids', []))
    known_address_groups = set(batch.get('known_address_group_ids', []))
    api = FakeIdlApi()
    out_groups = []
    for group in batch['groups']:
        rules_out = []
        translatable = []
        valid = []
        seen_keys = {}
        for raw in group['rules']:
            rule = dict(raw)
            rule.setdefault('tenant_id', 'oracle-project')
            rule.setdefault('project_id', rule['tenant_id'])
            rule['security_group_id'] = group['id']
            for key in ('remote_group_id', 'remote_address_group_id', 'protocol',
                        'port_range_min', 'port_range_max', 'remote_ip_prefix'):
                rule.setdefault(key, None)
            result = {'id': rule['id'], 'error': None, 'acl': None, 'acl_error': None}
            converted = False
            try:
                convert(rule)
                converted = True
                validate(db, rule, known_groups, known_address_groups)
                key = db._rule_to_key(rule)
                if key in seen_keys:
                    raise ext_sg.SecurityGroupRuleExists(rule_id=seen_keys[key])
                seen_keys[key] = rule['id']
            except Exception as e:  # Neutron's message is the contract
                result['error'] = str(e)
            if converted:
                try:
                    rule['normalized_cidr'] = (
                        securitygroups_db.SecurityGroupDbMixin
                        ._get_normalized_cidr_from_rule(rule))
                    result['canonical'] = {
                        k: rule.get(k) for k in (
                            'protocol', 'port_range_min', 'port_range_max',
                            'ethertype', 'remote_ip_prefix', 'normalized_cidr')}
                    one = ovn_acl._add_sg_rule_acl_for_port_group(
                        ovn_utils.ovn_port_group_name(group['id']),
                        group.get('stateful', True), copy.deepcopy(rule))
                    result['acl'] = one
                    translatable.append(rule)
                    if result['error'] is None:
                        valid.append(rule)
                except Exception as e:
                    result['acl_error'] = '%s: %s' % (type(e).__name__, e)
            rules_out.append(result)

        def acls_for(rules, suffix):
            sg = {'id': group['id'], 'stateful': group.get('stateful', True),
                  'security_group_rules': copy.deepcopy(rules)}
            txn = CollectingTxn()
            ovn_acl.add_acls_for_sg_port_group(api, sg, txn, stateless_supported=True)
            # A distinct in-memory port group per list, so the two runs do not see each other.
            for command in txn.commands:
                command.entity = command.entity + suffix
            return run_port_group(api, ovn_utils.ovn_port_group_name(group['id']) + suffix,
                                  txn.commands)

        out_groups.append({
            'id': group['id'],
            'port_group': ovn_utils.ovn_port_group_name(group['id']),
            'rules': rules_out,
            'acls': acls_for(translatable, '#all'),
            'acls_valid_only': acls_for(valid, '#valid'),
        })

    drop_txn = CollectingTxn()
    for acl in ovn_acl.add_acls_for_drop_port_group(ovn_const.OVN_DROP_PORT_GROUP_NAME):
        drop_txn.add(api.pg_acl_add(may_exist=True, **acl))
    drop = run_port_group(api, ovn_const.OVN_DROP_PORT_GROUP_NAME, drop_txn.commands)

    json.dump({'groups': out_groups, 'drop_acls': drop,
               'remote_group_address_set': ovn_utils.ovn_pg_addrset_name('GROUP-ID', 'ip4')},
              sys.stdout, default=str)


if __name__ == '__main__':
    main()
