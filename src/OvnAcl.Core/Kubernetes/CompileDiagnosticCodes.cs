namespace OvnAcl.Kubernetes;

/// <summary>The diagnostic codes; they never change meaning once shipped.</summary>
public static class CompileDiagnosticCodes
{
    // Loading (OVNK00xx)

    /// <summary>A path given does not exist or cannot be read.</summary>
    public const string UnreadableInput = "OVNK0001";
    /// <summary>A document is not valid YAML/JSON, or does not fit the schema of its kind (unknown or mistyped field).</summary>
    public const string UnparseableDocument = "OVNK0002";
    /// <summary>No kind, or a NetworkPolicy, Pod, Namespace or Node of an apiVersion other than networking.k8s.io/v1 or v1 (other kinds are skipped: <see cref="SkippedKinds"/>).</summary>
    public const string UnknownKind = "OVNK0003";
    /// <summary>An object without <c>metadata.name</c>.</summary>
    public const string MissingName = "OVNK0004";
    /// <summary>A namespaced object without <c>metadata.namespace</c>: <c>default</c> is assumed (warning).</summary>
    public const string MissingNamespace = "OVNK0005";
    /// <summary>The same object (kind, namespace, name) given twice.</summary>
    public const string DuplicateObject = "OVNK0006";
    /// <summary>
    /// A name the API server would refuse: a namespace that is not a DNS-1123 label (1–63 of [a-z0-9-], alphanumeric at
    /// both ends), a policy or pod name that is not a DNS-1123 subdomain (at most 253 characters, such labels joined by '.').
    /// </summary>
    public const string InvalidName = "OVNK0007";
    /// <summary>
    /// A cluster-scoped network policy (<c>policy.networking.k8s.io</c> AdminNetworkPolicy, BaselineAdminNetworkPolicy,
    /// ClusterNetworkPolicy) that OvnAcl does not compile: refused rather than dropped, since it would stay unenforced.
    /// </summary>
    public const string UnsupportedPolicyKind = "OVNK0008";
    /// <summary>Objects of kinds that are not policy input (Deployments, Services, ConfigMaps, …): skipped, counted once per kind (note).</summary>
    public const string SkippedKinds = "OVNK0009";
    /// <summary>
    /// A field OvnAcl's Kubernetes models do not know in a Pod or Namespace, or outside a NetworkPolicy's <c>spec</c>
    /// (an object from a newer Kubernetes): ignored, counted once per field (warning). In a NetworkPolicy's <c>spec</c>
    /// it is an error (<see cref="UnparseableDocument"/>): a typo there changes what the policy means.
    /// </summary>
    public const string UnknownContextField = "OVNK0010";
    /// <summary>
    /// A label key or value, annotation value or selector value that YAML reads as a number, boolean or null
    /// (<c>access: true</c>): the API server refuses it, labels are strings; quote it.
    /// </summary>
    public const string NotAString = "OVNK0011";
    /// <summary>An object whose namespace is not the one given to the loader (<c>ovnacl compile -n NS</c>), which kubectl refuses too.</summary>
    public const string NamespaceMismatch = "OVNK0012";

    // Validation of NetworkPolicy (OVNK01xx)

    /// <summary>An <c>ipBlock.cidr</c> or <c>except</c> entry that is not a CIDR.</summary>
    public const string InvalidCidr = "OVNK0101";
    /// <summary>An <c>except</c> entry that is not strictly inside <c>cidr</c> (or of the other IP family).</summary>
    public const string ExceptOutsideCidr = "OVNK0102";
    /// <summary>A port number outside 1–65535.</summary>
    public const string PortOutOfRange = "OVNK0103";
    /// <summary><c>endPort</c> below <c>port</c>.</summary>
    public const string EndPortBelowPort = "OVNK0104";
    /// <summary><c>endPort</c> with a named port or without <c>port</c>.</summary>
    public const string EndPortWithoutNumber = "OVNK0105";
    /// <summary>A protocol other than TCP, UDP or SCTP.</summary>
    public const string UnknownProtocol = "OVNK0106";
    /// <summary>A label-selector operator other than In, NotIn, Exists, DoesNotExist.</summary>
    public const string InvalidSelectorOperator = "OVNK0107";
    /// <summary><c>In</c>/<c>NotIn</c> without values, or <c>Exists</c>/<c>DoesNotExist</c> with values.</summary>
    public const string InvalidSelectorValues = "OVNK0108";
    /// <summary>A <c>policyTypes</c> entry other than Ingress or Egress.</summary>
    public const string InvalidPolicyType = "OVNK0109";
    /// <summary>
    /// A named port that is not an IANA service name (1–15 lowercase letters, digits, '-', at least one letter), among
    /// them a quoted number (<c>port: "80"</c>): a string is a port name, as the API server reads it.
    /// </summary>
    public const string InvalidPortName = "OVNK0110";
    /// <summary>A peer with no field set, or <c>ipBlock</c> together with a selector.</summary>
    public const string InvalidPeer = "OVNK0111";
    /// <summary>A CIDR with bits set after the prefix (<c>10.0.0.1/24</c>): read as its network, as Kubernetes does (warning).</summary>
    public const string CidrHostBits = "OVNK0112";
    /// <summary>An empty or malformed label-selector key.</summary>
    public const string InvalidSelectorKey = "OVNK0113";

    // Inputs around the policies (OVNK02xx)

    /// <summary>A pod or policy in a namespace not given: only its <c>kubernetes.io/metadata.name</c> label is known (warning).</summary>
    public const string NamespaceNotGiven = "OVNK0201";
    /// <summary>The <c>k8s.ovn.org/acl-logging</c> annotation is not JSON with alert/warning/notice/info/debug levels: ignored (warning).</summary>
    public const string InvalidAclLogging = "OVNK0202";
    /// <summary>A pod IP that is not an IP address (error: the pod is refused, never silently left out of its port groups).</summary>
    public const string InvalidPodIp = "OVNK0203";
    /// <summary>
    /// A node source address that is not an IP (<c>ovnacl.io/node-source-addresses</c>, <c>status.addresses</c>), or an
    /// unreadable <c>k8s.ovn.org/node-subnets</c> (error: the node is refused, never silently given no allowance).
    /// </summary>
    public const string InvalidNodeAddress = "OVNK0204";
    /// <summary>A node with no source address: its pods get no node allowance, so its probes are dropped where policies isolate (warning).</summary>
    public const string NodeWithoutAddresses = "OVNK0205";
    /// <summary>A Service without a ClusterIP to explain through: <c>type: ExternalName</c>, or headless (<c>clusterIP: None</c>) (note).</summary>
    public const string ServiceWithoutVip = "OVNK0206";
    /// <summary>A Service's ClusterIP or an EndpointSlice's endpoint address that is not an IP of its family (error).</summary>
    public const string InvalidServiceAddress = "OVNK0207";
    /// <summary>A Service port's named <c>targetPort</c> that a selected pod does not declare: the pod is no backend of that port (warning).</summary>
    public const string UnresolvedTargetPort = "OVNK0208";

    // Validation of cluster-scoped policies (OVNK04xx)

    /// <summary>An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy field that is missing, unknown, mistyped, or a one-of union with none or several set.</summary>
    public const string InvalidAdminPolicy = "OVNK0401";
    /// <summary>A cluster policy's <c>spec.priority</c> outside 0–1000.</summary>
    public const string AdminPriorityOutOfRange = "OVNK0402";
    /// <summary>A rule action the kind does not have (Allow/Deny/Pass; Accept/Deny/Pass in v1alpha2; no Pass in a BaselineAdminNetworkPolicy).</summary>
    public const string InvalidAdminAction = "OVNK0403";
    /// <summary>More rules, peers, ports or networks than the API allows, or a rule name over 100 characters.</summary>
    public const string AdminLimitExceeded = "OVNK0404";
    /// <summary><c>domainNames</c> peers: OVN ACLs match addresses, not DNS names; refused rather than left unenforced.</summary>
    public const string DomainNamesUnsupported = "OVNK0405";
    /// <summary>A named port in a rule whose peers include nodes or networks, which have no named ports.</summary>
    public const string AdminNamedPortWithoutPods = "OVNK0406";
    /// <summary>Two cluster policies of one tier with the same priority: the order OvnAcl picks is named (warning).</summary>
    public const string SameAdminPriority = "OVNK0407";
    /// <summary>More cluster policy rules than the ACL priorities between NetworkPolicy's and OVN's maximum can hold, flattened.</summary>
    public const string AdminPrioritiesExhausted = "OVNK0408";
    /// <summary>A Pass rule that, flattened for OVN without ACL tiers, would have to be negated in a lower rule it overlaps.</summary>
    public const string AdminPassNeedsTiers = "OVNK0409";

    // Output (OVNK03xx)

    /// <summary>An ACL name longer than 63 characters, shortened deterministically with a hash (warning).</summary>
    public const string AclNameTruncated = "OVNK0301";
}
