import re,sys,os,struct
# usage: strace-to-golden.py STRACE_DIR OUT_DIR IPVS_FAMILY_ID
# Rebuilds the raw bytes of each IPVS request ipvsadm sent, from `strace -x -s 65535` output.
FAM=int(sys.argv[3])
pat=re.compile(r'sendmsg\(3, \{msg_name=.*?iov_base=\[\{nlmsg_len=(\d+), nlmsg_type=IPVS, nlmsg_flags=([A-Z_|0-9x]+), nlmsg_seq=(\d+), nlmsg_pid=(-?\d+)\}, "((?:\\x[0-9a-f]{2})*)"')
FL={'NLM_F_REQUEST':1,'NLM_F_ACK':4,'NLM_F_DUMP':0x300,'NLM_F_MULTI':2}
src,dst=sys.argv[1],sys.argv[2]
for f in sorted(os.listdir(src)):
    out=[]
    for line in open(os.path.join(src,f)):
        m=pat.search(line)
        if not m: continue
        ln,flags,seq,pid,payload=m.groups()
        fl=sum(int(x,16) if x.startswith('0x') else FL[x] for x in flags.split('|') if x)
        body=bytes(int(h,16) for h in re.findall(r'\\x([0-9a-f]{2})',payload))
        msg=struct.pack('<IHHII',int(ln),FAM,fl,int(seq),int(pid)&0xffffffff)+body
        assert len(msg)==int(ln),(f,len(msg),ln)
        if body[0]==0x0f:   # GET_INFO: the version probe every ipvsadm run makes; kept once
            info=os.path.join(dst,'get_info.req.hex')
            if not os.path.exists(info):
                open(info,'w').write(msg.hex()+'\n')
            continue
        out.append(msg.hex())
    if out:
        # keep distinct requests only (ipvsadm retries failing ones)
        seen=[];[seen.append(o) for o in out if o[16*2:] not in [s[32:] for s in seen]]
        open(os.path.join(dst,f.replace('.txt','.req.hex')),'w').write('\n'.join(seen)+'\n')
